#include "sgx/key.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gsc/error.hpp"
#include "sgx/bignum.hpp"
#include "sgx/sigstruct.hpp"

namespace gsc::sgx {

void KeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

const std::string kMakeOne = "Make one with `openssl genrsa -3 -out enclave-key.pem 3072`.";

// The file's bytes, wiped from memory when this goes out of scope.
struct Secret {
  std::string bytes;
  ~Secret() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// A key file is small and regular: a fifo, a device (/dev/zero) or a huge file is refused
// before anything is read, so no input can hang gsc or exhaust its memory.
void read_key_file(const std::string& path, Secret& out) {
  constexpr off_t kMaxKeyFile = 64 * 1024;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(ErrorCategory::input, "Cannot read the key file `" + path + "`. Check the path.");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxKeyFile) {
    ::close(fd);
    throw Error(ErrorCategory::input, "`" + path + "` is not a key file (" +
                                          (S_ISREG(st.st_mode) ? "larger than 64 KiB" : "not a regular file") + "). " +
                                          kMakeOne);
  }
  out.bytes.assign(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < out.bytes.size()) {
    const ssize_t n = ::read(fd, out.bytes.data() + done, out.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.bytes.resize(done);
  if (out.bytes.find("-----BEGIN") == std::string::npos)
    throw Error(ErrorCategory::signature, "`" + path + "` is not a PEM key. " + kMakeOne);
}

// Checks what SGX requires of a signing key: RSA, 3072 bits, public exponent 3.
void check_sgx_key(EVP_PKEY* key, const std::string& path) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
    throw Error(ErrorCategory::signature, "`" + path + "` is not an RSA key; SGX needs RSA-3072 with exponent 3. " + kMakeOne);
  if (EVP_PKEY_get_bits(key) != 3072)
    throw Error(ErrorCategory::signature, "`" + path + "` is a " + std::to_string(EVP_PKEY_get_bits(key)) +
                                              "-bit key; SGX needs 3072 bits. " + kMakeOne);
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
  const bool three = e && BN_is_word(e, 3);
  BN_free(e);
  if (!three)
    throw Error(ErrorCategory::signature, "`" + path + "` has a public exponent other than 3; SGX needs 3. " + kMakeOne);
}

struct PassphraseState {
  const std::optional<std::string>* passphrase;
  bool asked = false;
};

int passphrase_callback(char* buf, int size, int, void* userdata) {
  auto* state = static_cast<PassphraseState*>(userdata);
  state->asked = true;
  if (!*state->passphrase) return -1;
  const std::string& p = **state->passphrase;
  if (static_cast<int>(p.size()) > size) return -1;
  std::memcpy(buf, p.data(), p.size());
  return static_cast<int>(p.size());
}

const std::string kImportFix = "It must be made over exactly the exported signing data with the matching key.";

}  // namespace

std::string modulus_be(EVP_PKEY* key) {
  BIGNUM* n = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
  Bn owned(n);
  return bn_to_be(owned.get(), 384);
}

std::string complete(const std::string& sigstruct, const std::string& modulus, const std::string& signature_be,
                     const std::string& fix) {
  Sigstruct s = parse(sigstruct);
  if (modulus.size() != 384 || (static_cast<unsigned char>(modulus[0]) & 0x80) == 0)
    throw Error(ErrorCategory::signature, "The signer's public key is not an RSA-3072 modulus (" +
                                              std::to_string(modulus.size()) + " bytes); SGX needs 3072 bits, exponent 3.");
  const std::string n_le(modulus.rbegin(), modulus.rend());
  std::memcpy(s.modulus, n_le.data(), 384);
  s.exponent = 3;
  if (signature_be.size() != 384)
    throw Error(ErrorCategory::signature, "The signature has " + std::to_string(signature_be.size()) +
                                              " bytes; an RSA-3072 signature has 384. " + fix);
  std::string sig_le(signature_be.rbegin(), signature_be.rend());
  std::memcpy(s.signature, sig_le.data(), 384);
  Bn sig = bn_from_be(signature_be);
  Bn n = bn_from_le(s.modulus, 384);
  if (BN_cmp(sig.get(), n.get()) >= 0)
    throw Error(ErrorCategory::signature, "The signature does not verify (it is not smaller than the modulus). " + fix);
  auto [q1, q2] = q1_q2(sig.get(), n.get());
  std::memcpy(s.q1, bn_to_le(q1.get(), 384).data(), 384);
  std::memcpy(s.q2, bn_to_le(q2.get(), 384).data(), 384);
  const auto v = verify(s);
  if (!v.valid) throw Error(ErrorCategory::signature, "The signature does not verify (" + v.problem + "). " + fix);
  return to_bytes(s);
}

SigningKey load_signing_key(const std::string& path, const std::optional<std::string>& passphrase) {
  Secret pem;
  read_key_file(path, pem);
  return load_signing_key_pem(pem.bytes, passphrase, path);
}

SigningKey load_signing_key_pem(const std::string& pem_bytes, const std::optional<std::string>& passphrase,
                                const std::string& path) {
  if (pem_bytes.size() > 64 * 1024 || pem_bytes.find("-----BEGIN") == std::string::npos)
    throw Error(ErrorCategory::signature, "`" + path + "` is not a PEM key. " + kMakeOne);
  const Secret pem{pem_bytes};
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.bytes.data(), static_cast<int>(pem.bytes.size())), BIO_free);
  PassphraseState state{&passphrase};
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, &state);
  ERR_clear_error();
  if (!key) {
    if (state.asked && !passphrase)
      throw Error(ErrorCategory::signature, "The key `" + path + "` is protected by a passphrase. Give it with `--passphrase-file`, `--passphrase-fd`, `--passphrase-env` or `-p`.");
    if (state.asked)
      throw Error(ErrorCategory::signature, "Wrong passphrase for the key `" + path + "`.");
    throw Error(ErrorCategory::signature, "`" + path + "` holds no private key. " + kMakeOne);
  }
  SigningKey out{KeyPtr(key)};
  check_sgx_key(key, path);
  return out;
}

PublicKey load_public_key(const std::string& path) {
  Secret pem;
  read_key_file(path, pem);
  return load_public_key_pem(pem.bytes, path);
}

PublicKey load_public_key_pem(const std::string& pem_bytes, const std::string& path) {
  if (pem_bytes.size() > 64 * 1024 || pem_bytes.find("-----BEGIN") == std::string::npos)
    throw Error(ErrorCategory::signature, "`" + path + "` is not a PEM key. " + kMakeOne);
  const Secret pem{pem_bytes};
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.bytes.data(), static_cast<int>(pem.bytes.size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!key) {
    // A private key file also carries the public half.
    BIO_reset(bio.get());
    const std::optional<std::string> none;
    PassphraseState state{&none};
    key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, &state);
  }
  ERR_clear_error();
  if (!key) throw Error(ErrorCategory::signature, "`" + path + "` holds no public key (PEM `PUBLIC KEY`).");
  PublicKey out{KeyPtr(key)};
  check_sgx_key(key, path);
  return out;
}

SigningKey generate_throwaway_key() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr),
                                                                   EVP_PKEY_CTX_free);
  Bn three(BN_new());
  BN_set_word(three.get(), 3);
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 3072) <= 0 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), three.get()) <= 0 || EVP_PKEY_keygen(ctx.get(), &key) <= 0)
    throw Error(ErrorCategory::internal, "OpenSSL could not generate an RSA-3072 key.");
  return SigningKey{KeyPtr(key)};
}

std::string private_key_pem(const SigningKey& key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string resign_sigstruct(const std::string& sigstruct, const SigningKey& key) {
  return complete(sigstruct, modulus_be(key.key.get()), sign_pkcs1_sha256(key, signing_data(sigstruct)),
                  "The key cannot sign.");
}

std::string sign_pkcs1_sha256(const SigningKey& key, const std::string& message) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  std::size_t size = 0;
  if (EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.key.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(message.data()), message.size()) <= 0)
    throw Error(ErrorCategory::signature, "OpenSSL could not sign the SIGSTRUCT.");
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) <= 0)
    throw Error(ErrorCategory::signature, "OpenSSL could not sign the SIGSTRUCT.");
  signature.resize(size);
  return signature;
}

std::string apply_signature(const std::string& sigstruct, const PublicKey& key, const std::string& signature) {
  return complete(sigstruct, modulus_be(key.key.get()), signature, kImportFix);
}

}  // namespace gsc::sgx
