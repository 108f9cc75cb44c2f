// The library's own Signers (a PEM file, PEM bytes in memory) and signing a SIGSTRUCT with any
// Signer: the one path every signature takes, checked against the signer's public key.

#include "gsc/signer.hpp"

#include <openssl/evp.h>

#include "gsc/error.hpp"
#include "sgx/key.hpp"
#include "sgx/sign.hpp"
#include "sgx/sigstruct.hpp"

namespace gsc {
namespace {

// A private key held by OpenSSL in memory (never written anywhere).
class KeySigner final : public Signer {
 public:
  explicit KeySigner(sgx::SigningKey key) : key_(std::move(key)), modulus_(sgx::modulus_be(key_.key.get())) {}
  std::string modulus() override { return modulus_; }
  std::string sign(const SigningRequest& request) override { return sgx::sign_pkcs1_sha256(key_, request.data); }

 private:
  sgx::SigningKey key_;
  std::string modulus_;
};

}  // namespace

std::unique_ptr<Signer> make_file_signer(const std::string& path, const std::optional<std::string>& passphrase) {
  return std::make_unique<KeySigner>(sgx::load_signing_key(path, passphrase));
}

std::unique_ptr<Signer> make_pem_signer(const std::string& pem, const std::optional<std::string>& passphrase,
                                        const std::string& name) {
  return std::make_unique<KeySigner>(sgx::load_signing_key_pem(pem, passphrase, name));
}

std::string public_key_modulus(const std::string& pem, const std::string& name) {
  return sgx::modulus_be(sgx::load_public_key_pem(pem, name).key.get());
}

namespace sgx {

SigningRequest signing_request(const std::string& sigstruct) {
  SigningRequest request;
  request.data = signing_data(sigstruct);
  unsigned length = 0;
  EVP_Digest(request.data.data(), request.data.size(), request.sha256.data(), &length, EVP_sha256(), nullptr);
  return request;
}

std::string sign_with(const std::string& sigstruct, Signer& signer) {
  parse(sigstruct);  // a SIGSTRUCT at all, before the signer is asked
  std::string modulus, signature;
  const SigningRequest request = signing_request(sigstruct);
  try {
    modulus = signer.modulus();
    signature = signer.sign(request);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCategory::signature, std::string("The signer failed: ") + e.what());
  }
  return complete(sigstruct, modulus, signature,
                  "The signer must sign the SHA-256 of the signing data (PKCS#1 v1.5) with the key whose modulus it "
                  "gives.");
}

}  // namespace sgx
}  // namespace gsc
