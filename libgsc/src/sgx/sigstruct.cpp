#include "sgx/sigstruct.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <memory>

#include "gsc/error.hpp"
#include "sgx/bignum.hpp"

namespace gsc::sgx {

Sigstruct parse(const std::string& bytes) {
  if (bytes.size() != sizeof(Sigstruct))
    throw Error(ErrorCategory::signature, "`entrypoint.sig` is not a SIGSTRUCT: it has " + std::to_string(bytes.size()) +
                                              " bytes instead of 1808.");
  Sigstruct s;
  std::memcpy(&s, bytes.data(), sizeof s);
  if (!std::equal(kHeader.begin(), kHeader.end(), s.header) || !std::equal(kHeader2.begin(), kHeader2.end(), s.header2))
    throw Error(ErrorCategory::signature, "`entrypoint.sig` is not a SIGSTRUCT: its headers are wrong.");
  return s;
}

std::string to_bytes(const Sigstruct& s) { return std::string(reinterpret_cast<const char*>(&s), sizeof s); }

std::string signing_data(const std::string& bytes) { return bytes.substr(0, 128) + bytes.substr(900, 128); }

Verification verify(const Sigstruct& s) {
  if (s.exponent != 3) return {false, "exponent is " + std::to_string(s.exponent) + ", not 3"};
  Bn n = bn_from_le(s.modulus, sizeof s.modulus);
  if (BN_num_bits(n.get()) != 3072) return {false, "modulus is not 3072 bits"};
  Bn sig = bn_from_le(s.signature, sizeof s.signature);
  if (BN_cmp(sig.get(), n.get()) >= 0) return {false, "signature is not smaller than the modulus"};
  // s^3 mod n must be the PKCS#1 v1.5 encoding of SHA-256(signing data).
  const std::string message = signing_data(to_bytes(s));
  const std::string expected = pkcs1_sha256_encoding(message, 384);
  if (bn_to_be(pow3_mod(sig.get(), n.get()).get(), 384) != expected) return {false, "RSA signature does not match"};
  auto [q1, q2] = q1_q2(sig.get(), n.get());
  if (bn_to_le(q1.get(), 384) != std::string(reinterpret_cast<const char*>(s.q1), 384) ||
      bn_to_le(q2.get(), 384) != std::string(reinterpret_cast<const char*>(s.q2), 384))
    return {false, "q1/q2 do not match the signature"};
  return {true, ""};
}

}  // namespace gsc::sgx

namespace gsc {
namespace {

std::string hex(const void* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string bcd(unsigned value, int digits) {
  std::string out;
  for (int i = digits - 1; i >= 0; --i) out += static_cast<char>('0' + ((value >> (4 * i)) & 0xf));
  return out;
}

}  // namespace

SigstructInfo describe_sigstruct(const std::string& bytes) {
  const sgx::Sigstruct s = sgx::parse(bytes);
  SigstructInfo info;
  info.mr_enclave = hex(s.enclave_hash, sizeof s.enclave_hash);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(s.modulus, sizeof s.modulus, digest, &length, EVP_sha256(), nullptr);
  info.mr_signer = hex(digest, length);
  info.isv_prod_id = s.isv_prod_id;
  info.isv_svn = s.isv_svn;
  info.date = bcd(s.date_year, 4) + "-" + bcd(s.date_month, 2) + "-" + bcd(s.date_day, 2);
  info.flags = hex(bytes.data() + 928, 8);
  info.xfrms = hex(bytes.data() + 936, 8);
  info.misc_select = hex(bytes.data() + 900, 4);
  info.debug = (s.flags & 0x2) != 0;
  const auto v = sgx::verify(s);
  info.signature_valid = v.valid;
  info.signature_problem = v.problem;
  return info;
}

std::string format_info_toml(const SigstructInfo& i) {
  std::string out;
  out += "mr_enclave = \"" + i.mr_enclave + "\"\n";
  out += "mr_signer = \"" + i.mr_signer + "\"\n";
  out += "isv_prod_id = " + std::to_string(i.isv_prod_id) + "\n";
  out += "isv_svn = " + std::to_string(i.isv_svn) + "\n";
  out += "date = \"" + i.date + "\"\n";
  out += "flags = \"" + i.flags + "\"\n";
  out += "xfrms = \"" + i.xfrms + "\"\n";
  out += "misc_select = \"" + i.misc_select + "\"\n";
  out += std::string("debug = ") + (i.debug ? "true" : "false") + "\n";
  out += std::string("signature_valid = ") + (i.signature_valid ? "true" : "false") + "\n";
  if (!i.signature_valid) out += "signature_problem = \"" + i.signature_problem + "\"\n";
  return out;
}

std::string format_info_json(const SigstructInfo& i) {
  nlohmann::json j = {{"mr_enclave", i.mr_enclave}, {"mr_signer", i.mr_signer}, {"isv_prod_id", i.isv_prod_id},
                      {"isv_svn", i.isv_svn},       {"date", i.date},           {"flags", i.flags},
                      {"xfrms", i.xfrms},           {"misc_select", i.misc_select}, {"debug", i.debug},
                      {"signature_valid", i.signature_valid}};
  if (!i.signature_valid) j["signature_problem"] = i.signature_problem;
  return j.dump(2) + "\n";
}

}  // namespace gsc
