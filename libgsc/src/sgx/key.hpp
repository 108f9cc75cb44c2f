#pragma once
// Enclave signing keys (RSA-3072, public exponent 3) through OpenSSL, held in memory only.

#include <memory>
#include <optional>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;

namespace gsc::sgx {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

// A private key able to sign SIGSTRUCTs.
struct SigningKey {
  KeyPtr key;
};

// A public key (two-step signing: the private half lives elsewhere).
struct PublicKey {
  KeyPtr key;
};

// Loads a PEM private key; one-line errors for: missing file, not PEM, not RSA, not 3072 bits,
// exponent not 3, encrypted without passphrase, wrong passphrase.
SigningKey load_signing_key(const std::string& path, const std::optional<std::string>& passphrase);

// The same from PEM bytes in memory; `name` is what messages call the key.
SigningKey load_signing_key_pem(const std::string& pem, const std::optional<std::string>& passphrase,
                                const std::string& name);

// Loads a PEM public key (or the public half of a private key file), same checks.
PublicKey load_public_key(const std::string& path);
PublicKey load_public_key_pem(const std::string& pem, const std::string& name);

// The key's RSA modulus, big-endian, 384 bytes.
std::string modulus_be(EVP_PKEY* key);

// The RSASSA-PKCS1-v1_5 / SHA-256 signature of `message`, big-endian.
std::string sign_pkcs1_sha256(const SigningKey& key, const std::string& message);

// Writes modulus (big-endian in), exponent 3, the signature (big-endian in), q1 and q2 into the
// SIGSTRUCT and verifies it; a signature that does not verify is an error ending with `fix`.
std::string complete(const std::string& sigstruct, const std::string& modulus, const std::string& signature,
                     const std::string& fix);

// A fresh RSA-3072/e=3 key, in memory, for measuring in a throwaway container.
SigningKey generate_throwaway_key();

// The private key as unencrypted PEM text.
std::string private_key_pem(const SigningKey& key);

// Sets modulus and exponent from the key, signs, computes q1/q2, verifies. MRENCLAVE untouched.
std::string resign_sigstruct(const std::string& sigstruct, const SigningKey& key);

// Completes a SIGSTRUCT with a signature made elsewhere over signing_data(): the big-endian
// output of `openssl dgst -sha256 -sign KEY.pem -out SIG DATA`. Verifies the result.
std::string apply_signature(const std::string& sigstruct, const PublicKey& key, const std::string& signature);

}  // namespace gsc::sgx
