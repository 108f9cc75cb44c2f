#pragma once
// Big-number helpers for SIGSTRUCT arithmetic (OpenSSL BIGNUM), little-endian aware.

#include <openssl/bn.h>

#include <memory>
#include <string>
#include <utility>

namespace gsc::sgx {

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Bn bn_from_le(const unsigned char* data, std::size_t size);
Bn bn_from_be(const std::string& bytes);
// The number as exactly `size` bytes, big- or little-endian.
std::string bn_to_be(const BIGNUM* bn, std::size_t size);
std::string bn_to_le(const BIGNUM* bn, std::size_t size);
// s^3 mod n.
Bn pow3_mod(const BIGNUM* s, const BIGNUM* n);
// q1 = floor(s^2 / n), q2 = floor((s^2 mod n) * s / n).
std::pair<Bn, Bn> q1_q2(const BIGNUM* s, const BIGNUM* n);
// EMSA-PKCS1-v1_5 encoding of SHA-256(message) to `size` bytes.
std::string pkcs1_sha256_encoding(const std::string& message, std::size_t size);

}  // namespace gsc::sgx
