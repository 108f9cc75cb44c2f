#pragma once
// Who signs an enclave. SGX signs a SIGSTRUCT with RSA-3072, public exponent 3: an
// RSASSA-PKCS1-v1_5 signature with SHA-256 over 256 of its bytes (bytes 0-127 and 900-1027:
// header, vendor, date and the measured fields, MRENCLAVE included). A Signer is anything that
// holds such a key: a PEM file, PEM bytes in memory, an HSM, a KMS, a remote signing service.
// gsc::sign_image calls it once, on the calling thread, and checks what it returns against the
// public key it gives before using it: a signer with the wrong key fails the operation.

#include <array>

#include "gsc/export.hpp"
#include <memory>
#include <optional>
#include <string>

namespace gsc {

// What a Signer signs. `data` is the message; `sha256` its digest, for services that sign a
// digest (a KMS `Sign` with a digest, PKCS#11 `CKM_RSA_PKCS` after a DigestInfo prefix).
struct SigningRequest {
  std::string data;                       // the SIGSTRUCT's 256 signed bytes
  std::array<unsigned char, 32> sha256{};  // SHA-256 of data
};

class GSC_API Signer {
 public:
  virtual ~Signer() = default;
  // The public key's modulus, big-endian, 384 bytes (RSA-3072); the public exponent is 3.
  virtual std::string modulus() = 0;
  // The RSASSA-PKCS1-v1_5 / SHA-256 signature of request.data, big-endian, 384 bytes (what
  // `openssl dgst -sha256 -sign KEY.pem` writes). Throw (any exception) to refuse.
  virtual std::string sign(const SigningRequest& request) = 0;
};

// A signer over a PEM private key file (RSA-3072, e=3). The key is read and checked here: a
// missing file, wrong passphrase or wrong kind of key is a gsc::Error now, not at signing time.
GSC_API std::unique_ptr<Signer> make_file_signer(const std::string& path, const std::optional<std::string>& passphrase = {});

// The same over PEM bytes held in memory (the caller's copy stays the caller's to wipe).
// `name` is what messages call the key.
GSC_API std::unique_ptr<Signer> make_pem_signer(const std::string& pem, const std::optional<std::string>& passphrase = {},
                                        const std::string& name = "key (from memory)");

// The modulus (big-endian, 384 bytes) of a PEM public key, or of the public half of a PEM
// private key, checked as SGX needs it: for a Signer whose private half lives elsewhere.
GSC_API std::string public_key_modulus(const std::string& pem, const std::string& name = "public key (from memory)");

}  // namespace gsc
