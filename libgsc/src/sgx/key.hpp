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

// Loads a PEM public key (or the public half of a private key file), same checks.
PublicKey load_public_key(const std::string& path);

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
