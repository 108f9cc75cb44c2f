#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gsc/error.hpp"
#include "gsc/sigstruct.hpp"
#include "gsc/signer.hpp"
#include "sgx/key.hpp"
#include "sgx/sign.hpp"
#include "sgx/sigstruct.hpp"

using namespace gsc;

namespace {

// An unsigned SIGSTRUCT with a known measurement, as a signer would start it.
std::string blank_sigstruct(bool debug = false) {
  sgx::Sigstruct s{};
  std::memcpy(s.header, sgx::kHeader.data(), 16);
  std::memcpy(s.header2, sgx::kHeader2.data(), 16);
  s.date_year = 0x2026;
  s.date_month = 0x11;
  s.date_day = 0x24;
  s.flags = 0x4 | (debug ? 0x2 : 0);
  s.xfrm = 0x3;
  s.isv_prod_id = 7;
  s.isv_svn = 2;
  for (int i = 0; i < 32; ++i) s.enclave_hash[i] = static_cast<std::uint8_t>(i);
  return sgx::to_bytes(s);
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("gsc-unit-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& n) const { return (path / n).string(); }
};

int sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempDir& keys() {
  static TempDir dir;
  static bool made = [] {
    sh("openssl genrsa -3 -out " + dir / "key.pem" + " 3072");
    sh("openssl genrsa -3 -aes256 -passout pass:x -out " + dir / "protected.pem" + " 3072");
    sh("openssl genrsa -out " + dir / "e65537.pem" + " 3072");
    sh("openssl genrsa -3 -out " + dir / "small.pem" + " 2048");
    sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + dir / "ec.pem");
    sh("openssl rsa -in " + dir / "key.pem" + " -pubout -out " + dir / "pub.pem");
    return true;
  }();
  (void)made;
  return dir;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const gsc::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("parse checks length and headers", "[sigstruct]") {
  CHECK_THROWS_WITH(sgx::parse(std::string(100, '\0')), Catch::Contains("100 bytes instead of 1808"));
  std::string bad = blank_sigstruct();
  bad[0] = 7;
  CHECK_THROWS_WITH(sgx::parse(bad), Catch::Contains("headers"));
  CHECK_NOTHROW(sgx::parse(blank_sigstruct()));
}

TEST_CASE("resign: a valid signature, MRENCLAVE untouched, MRSIGNER = SHA-256 of the LE modulus", "[sigstruct]") {
  const auto key = sgx::load_signing_key(keys() / "key.pem", std::nullopt);
  const std::string signed_bytes = sgx::resign_sigstruct(blank_sigstruct(true), key);
  const auto info = describe_sigstruct(signed_bytes);
  CHECK(info.signature_valid);
  CHECK(info.mr_enclave == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  CHECK(info.date == "2026-11-24");
  CHECK(info.isv_prod_id == 7);
  CHECK(info.isv_svn == 2);
  CHECK(info.debug);
  CHECK(info.flags == "0600000000000000");
  CHECK(info.xfrms == "0300000000000000");
  CHECK(info.misc_select == "00000000");
  // MRSIGNER computed independently: SHA-256 over the modulus as stored (bytes 128..512).
  unsigned char digest[32];
  unsigned length = 0;
  EVP_Digest(signed_bytes.data() + 128, 384, digest, &length, EVP_sha256(), nullptr);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  CHECK(info.mr_signer == hex);
  // Deterministic: PKCS#1 v1.5 signatures are.
  CHECK(sgx::resign_sigstruct(blank_sigstruct(true), key) == signed_bytes);
}

TEST_CASE("verify: a flipped byte anywhere that matters makes the signature invalid", "[sigstruct]") {
  const auto key = sgx::load_signing_key(keys() / "key.pem", std::nullopt);
  const std::string good = sgx::resign_sigstruct(blank_sigstruct(), key);
  for (std::size_t offset : {20u, 130u, 600u, 930u, 965u, 1025u, 1100u, 1500u}) {
    INFO(offset);
    std::string bad = good;
    bad[offset] = static_cast<char>(bad[offset] ^ 0x40);
    const auto info = describe_sigstruct(bad);
    CHECK_FALSE(info.signature_valid);
    CHECK_FALSE(info.signature_problem.empty());
  }
  std::string e5 = good;
  e5[512] = 5;
  CHECK(describe_sigstruct(e5).signature_problem.find("exponent") != std::string::npos);
}

TEST_CASE("keys: each wrong key gets its own one-line error", "[keys]") {
  auto& k = keys();
  CHECK(error_of([&] { sgx::load_signing_key(k / "missing.pem", std::nullopt); }).find("Cannot read") == 0);
  std::ofstream(k / "junk.pem") << "junk";
  CHECK(error_of([&] { sgx::load_signing_key(k / "junk.pem", std::nullopt); }).find("not a PEM key") != std::string::npos);
  CHECK(error_of([&] { sgx::load_signing_key(k / "ec.pem", std::nullopt); }).find("not an RSA key") != std::string::npos);
  CHECK(error_of([&] { sgx::load_signing_key(k / "small.pem", std::nullopt); }).find("2048-bit") != std::string::npos);
  CHECK(error_of([&] { sgx::load_signing_key(k / "e65537.pem", std::nullopt); }).find("openssl genrsa -3") !=
        std::string::npos);
  CHECK(error_of([&] { sgx::load_signing_key(k / "protected.pem", std::nullopt); }).find("`-p`") != std::string::npos);
  CHECK(error_of([&] { sgx::load_signing_key(k / "protected.pem", std::string("y")); }).find("Wrong passphrase") !=
        std::string::npos);
  CHECK_NOTHROW(sgx::load_signing_key(k / "protected.pem", std::string("x")));
}

TEST_CASE("two-step signing with the openssl CLI equals direct signing", "[two-step]") {
  auto& k = keys();
  const std::string blank = blank_sigstruct();
  const std::string direct = sgx::resign_sigstruct(blank, sgx::load_signing_key(k / "key.pem", std::nullopt));
  std::ofstream(k / "data.bin", std::ios::binary) << sgx::signing_data(blank);
  REQUIRE(sgx::signing_data(blank).size() == 256);
  REQUIRE(sh("openssl dgst -sha256 -sign " + k / "key.pem" + " -out " + k / "sig.bin " + k / "data.bin") == 0);
  const std::string two_step = sgx::apply_signature(blank, sgx::load_public_key(k / "pub.pem"), slurp(k / "sig.bin"));
  CHECK(two_step == direct);
  CHECK_THROWS_AS(sgx::apply_signature(blank, sgx::load_public_key(k / "pub.pem"), std::string(384, '\x02')), gsc::Error);
}

TEST_CASE("a throwaway key is RSA-3072 with exponent 3 and signs", "[keys]") {
  const auto key = sgx::generate_throwaway_key();
  const std::string pem = sgx::private_key_pem(key);
  CHECK(pem.find("BEGIN PRIVATE KEY") != std::string::npos);
  CHECK(describe_sigstruct(sgx::resign_sigstruct(blank_sigstruct(), key)).signature_valid);
}

TEST_CASE("info formats: TOML as the original prints, and JSON", "[format]") {
  const auto info = describe_sigstruct(sgx::resign_sigstruct(blank_sigstruct(), sgx::generate_throwaway_key()));
  const std::string toml = format_info_toml(info);
  CHECK(toml.find("mr_enclave = \"000102") == 0);
  CHECK(toml.find("\nisv_prod_id = 7\nisv_svn = 2\ndate = \"2026-11-24\"\nflags = \"0400000000000000\"\n"
                  "xfrms = \"0300000000000000\"\nmisc_select = \"00000000\"\ndebug = false\n") != std::string::npos);
  CHECK(format_info_json(info).find("\"isv_prod_id\": 7") != std::string::npos);
}

namespace {

// A signer whose public key and private key need not match: a misconfigured HSM slot.
class PairSigner final : public Signer {
 public:
  PairSigner(std::unique_ptr<Signer> public_half, std::unique_ptr<Signer> private_half)
      : public_(std::move(public_half)), private_(std::move(private_half)) {}
  std::string modulus() override { return public_->modulus(); }
  std::string sign(const SigningRequest& request) override {
    ++calls;
    last = request;
    return private_->sign(request);
  }
  int calls = 0;
  SigningRequest last;

 private:
  std::unique_ptr<Signer> public_, private_;
};

// A signer that signs only a digest (as a KMS does), with the openssl CLI on the digest.
class DigestOnlySigner final : public Signer {
 public:
  explicit DigestOnlySigner(std::string key) : key_(std::move(key)) {}
  std::string modulus() override { return public_key_modulus(slurp(key_), key_); }
  std::string sign(const SigningRequest& request) override {
    std::ofstream(key_ + ".digest", std::ios::binary)
        .write(reinterpret_cast<const char*>(request.sha256.data()), request.sha256.size());
    sh("openssl pkeyutl -sign -inkey " + key_ + " -pkeyopt digest:sha256 -in " + key_ + ".digest -out " + key_ + ".sig");
    return slurp(key_ + ".sig");
  }

 private:
  std::string key_;
};

}  // namespace

TEST_CASE("signers: a PEM file, PEM bytes and a digest-only signer give the same SIGSTRUCT", "[signer]") {
  auto& k = keys();
  const std::string blank = blank_sigstruct();
  const std::string direct = sgx::resign_sigstruct(blank, sgx::load_signing_key(k / "key.pem", std::nullopt));
  CHECK(sgx::sign_with(blank, *make_file_signer(k / "key.pem")) == direct);
  CHECK(sgx::sign_with(blank, *make_pem_signer(slurp(k / "key.pem"))) == direct);
  DigestOnlySigner kms(k / "key.pem");
  CHECK(sgx::sign_with(blank, kms) == direct);
  // Encrypted PEM bytes with their passphrase; without it, the message names the key as memory.
  const std::string protected_pem = slurp(k / "protected.pem");
  CHECK_NOTHROW(make_pem_signer(protected_pem, std::string("x")));
  CHECK(error_of([&] { make_pem_signer(protected_pem, std::string("y")); }).find("Wrong passphrase for the key `key (from memory)`") == 0);
  CHECK(error_of([&] { make_pem_signer("junk"); }).find("`key (from memory)` is not a PEM key") == 0);
  CHECK(error_of([&] { make_pem_signer(slurp(k / "e65537.pem")); }).find("exponent other than 3") != std::string::npos);
  CHECK(public_key_modulus(slurp(k / "pub.pem")) == public_key_modulus(slurp(k / "key.pem")));
}

TEST_CASE("signers: what is signed is the SIGSTRUCT's 256 signing bytes and their SHA-256", "[signer]") {
  auto& k = keys();
  const std::string blank = blank_sigstruct();
  PairSigner signer(make_file_signer(k / "key.pem"), make_file_signer(k / "key.pem"));
  const std::string signed_bytes = sgx::sign_with(blank, signer);
  CHECK(signer.calls == 1);
  CHECK(signer.last.data == blank.substr(0, 128) + blank.substr(900, 128));
  std::array<unsigned char, 32> digest{};
  EVP_Digest(signer.last.data.data(), signer.last.data.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
  CHECK(signer.last.sha256 == digest);
  CHECK(describe_sigstruct(signed_bytes).signature_valid);
}

TEST_CASE("signers: a signer whose signature does not match its public key is refused in one line", "[signer]") {
  auto& k = keys();
  const std::string blank = blank_sigstruct();
  PairSigner wrong(make_file_signer(k / "key.pem"), std::make_unique<PairSigner>(make_file_signer(k / "key.pem"),
                                                                                  make_file_signer(k / "protected.pem", std::string("x"))));
  const std::string message = error_of([&] { sgx::sign_with(blank, wrong); });
  CHECK(message.find("The signature does not verify") == 0);
  CHECK(message.find("with the key whose modulus it gives") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);

  class Short final : public Signer {
    std::string modulus() override { return std::string(256, '\xff'); }
    std::string sign(const SigningRequest&) override { return std::string(256, '\x01'); }
  } short_key;
  CHECK(error_of([&] { sgx::sign_with(blank, short_key); }).find("not an RSA-3072 modulus") != std::string::npos);

  class Refuses final : public Signer {
    std::string modulus() override { return std::string(384, '\xff'); }
    std::string sign(const SigningRequest&) override { throw std::runtime_error("HSM slot 3 is locked"); }
  } refuses;
  const std::string refused = error_of([&] { sgx::sign_with(blank, refuses); });
  CHECK(refused == "The signer failed: HSM slot 3 is locked");
}
