#include "sgx/bignum.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "gsc/error.hpp"

namespace gsc::sgx {
namespace {

struct CtxDeleter {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

Bn fresh() {
  Bn bn(BN_new());
  if (!bn) throw Error(ErrorCategory::internal, "out of memory (BIGNUM)");
  return bn;
}

}  // namespace

Bn bn_from_le(const unsigned char* data, std::size_t size) {
  return Bn(BN_lebin2bn(data, static_cast<int>(size), nullptr));
}

Bn bn_from_be(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

std::string bn_to_be(const BIGNUM* bn, std::size_t size) {
  std::string out(size, '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0)
    throw Error(ErrorCategory::signature, "a number does not fit in " + std::to_string(size) + " bytes");
  return out;
}

std::string bn_to_le(const BIGNUM* bn, std::size_t size) {
  std::string out = bn_to_be(bn, size);
  std::reverse(out.begin(), out.end());
  return out;
}

Bn pow3_mod(const BIGNUM* s, const BIGNUM* n) {
  std::unique_ptr<BN_CTX, CtxDeleter> ctx(BN_CTX_new());
  Bn three = fresh(), out = fresh();
  BN_set_word(three.get(), 3);
  BN_mod_exp(out.get(), s, three.get(), n, ctx.get());
  return out;
}

std::pair<Bn, Bn> q1_q2(const BIGNUM* s, const BIGNUM* n) {
  std::unique_ptr<BN_CTX, CtxDeleter> ctx(BN_CTX_new());
  Bn square = fresh(), q1 = fresh(), rem = fresh(), tmp = fresh(), q2 = fresh(), rem2 = fresh();
  BN_sqr(square.get(), s, ctx.get());
  BN_div(q1.get(), rem.get(), square.get(), n, ctx.get());
  BN_mul(tmp.get(), rem.get(), s, ctx.get());
  BN_div(q2.get(), rem2.get(), tmp.get(), n, ctx.get());
  return {std::move(q1), std::move(q2)};
}

std::string pkcs1_sha256_encoding(const std::string& message, std::size_t size) {
  static const unsigned char kDigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(message.data(), message.size(), digest, &length, EVP_sha256(), nullptr);
  const std::size_t t = sizeof kDigestInfo + length;
  std::string out;
  out += '\0';
  out += '\x01';
  out.append(size - t - 3, '\xff');
  out += '\0';
  out.append(reinterpret_cast<const char*>(kDigestInfo), sizeof kDigestInfo);
  out.append(reinterpret_cast<const char*>(digest), length);
  return out;
}

}  // namespace gsc::sgx
