// gsc sign-image and gsc info-image against the real daemon, through the CLI.

#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <cstring>
#include <regex>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

// One graminized app image shared by the cases of this file (built once, removed at exit).
struct SignedFixture {
  TempDir dir;
  std::string app = unique_name("gsc-test-app/sign");
  ImageGuard guard;
  std::string config;
  std::string key;

  SignedFixture() {
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"signed hello\"]\n");
    write_file(dir / "app.manifest", "sgx.isvprodid = 7\nsgx.isvsvn = 3\n");
    config = write_config(dir);
    key = dir / "key.pem";
    REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
    const Run build = gsc({"build", "-c", config, app, dir / "app.manifest"});
    INFO(build.err);
    REQUIRE(build.status == 0);
  }
  std::string signed_image() const { return "gsc-" + app; }
};

SignedFixture& fixture() {
  static SignedFixture f;
  return f;
}

std::string toml_value(const std::string& text, const std::string& key) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex("(^|\\n)" + key + " = \"?([^\"\\n]*)\"?"))) return m[2];
  return "";
}

// MRSIGNER computed here, independently: SHA-256 of the key's modulus, little-endian.
std::string mr_signer_of(const std::string& key) {
  const Run modulus = sh("openssl rsa -in " + sh_quote(key) + " -noout -modulus");
  REQUIRE(modulus.status == 0);
  std::string hex = modulus.out.substr(modulus.out.find('=') + 1);
  hex.erase(hex.find_last_not_of("\n") + 1);
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  std::string le(bytes.rbegin(), bytes.rend());
  unsigned char digest[32];
  unsigned length = 0;
  EVP_Digest(le.data(), le.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    out += buf;
  }
  return out;
}

std::string file_of(const std::string& image, const std::string& path) {
  return sh("docker run --rm --entrypoint /bin/cat " + sh_quote(image) + " " + sh_quote(path)).out;
}

}  // namespace

TEST_CASE("sign-image then info-image: MRSIGNER is the user's, fields as the original prints", "[sign]") {
  auto& f = fixture();
  const Run sign = gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key});
  INFO(sign.err);
  REQUIRE(sign.status == 0);
  const Run info = gsc({"info-image", f.signed_image()});
  INFO(info.err);
  REQUIRE(info.status == 0);
  CHECK(toml_value(info.out, "mr_signer") == mr_signer_of(f.key));
  CHECK(std::regex_search(info.out, std::regex("mr_enclave = \"[0-9a-f]{64}\"")));
  CHECK(toml_value(info.out, "isv_prod_id") == "7");
  CHECK(toml_value(info.out, "isv_svn") == "3");
  CHECK(toml_value(info.out, "date") == "2026-01-02");
  CHECK(toml_value(info.out, "debug") == "false");
  CHECK(toml_value(info.out, "signature_valid") == "true");
  CHECK(toml_value(info.out, "flags") == "0400000000000000");

  const Run json = gsc({"info-image", "--format", "json", f.signed_image()});
  CHECK(json.status == 0);
  CHECK(json.out.find("\"mr_signer\": \"" + mr_signer_of(f.key) + "\"") != std::string::npos);

  // The signed image runs (direct PAL) and the SGX launcher accepts its files.
  const Run run = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + sh_quote(f.signed_image()));
  CHECK(run.out == "signed hello\n");
}

TEST_CASE("same inputs and date give the same SIGSTRUCT", "[sign][determinism]") {
  auto& f = fixture();
  REQUIRE(gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key}).status == 0);
  const std::string first = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");
  REQUIRE(gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key}).status == 0);
  const std::string second = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");
  CHECK(first.size() == 1808);
  CHECK(first == second);
}

TEST_CASE("passphrase-protected key: right passphrase signs, wrong or missing one fails cleanly", "[sign][errors]") {
  auto& f = fixture();
  const std::string key = f.dir / "protected.pem";
  REQUIRE(sh("openssl genrsa -3 -aes256 -passout pass:s3cret -out " + sh_quote(key) + " 3072").status == 0);
  const Run good = gsc({"sign-image", "-c", f.config, "-p", "s3cret", f.app, key});
  INFO(good.err);
  CHECK(good.status == 0);
  const Run wrong = gsc({"sign-image", "-c", f.config, "--passphrase", "nope", f.app, key});
  CHECK(wrong.status == 5);
  CHECK(wrong.err.find("Wrong passphrase") != std::string::npos);
  const Run missing = gsc({"sign-image", "-c", f.config, f.app, key});
  CHECK(missing.status == 5);
  CHECK(missing.err.find("`-p`") != std::string::npos);
}

TEST_CASE("the private key is found nowhere in Docker afterwards", "[sign][key-safety]") {
  auto& f = fixture();
  REQUIRE(gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  // Secrets of the key: the PEM body and the private exponent and primes (hex, as openssl prints).
  const Run text = sh("openssl rsa -in " + sh_quote(f.key) + " -noout -text");
  REQUIRE(text.status == 0);
  std::vector<std::string> needles;
  const std::string pem = slurp(f.key);
  needles.push_back(pem.substr(pem.find('\n') + 1, 64));  // first base64 line of the body
  for (const char* field : {"privateExponent:", "prime1:", "prime2:"}) {
    const auto at = text.out.find(field);
    REQUIRE(at != std::string::npos);
    std::string hex;
    for (std::size_t i = at + std::strlen(field); i < text.out.size() && hex.size() < 48; ++i)
      if (std::isxdigit(static_cast<unsigned char>(text.out[i]))) hex += text.out[i];
    std::string bytes;  // 24 raw bytes from the middle of the number, as they would be stored
    for (std::size_t i = 8; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    needles.push_back(bytes);
  }
  // Every image gsc made or used, saved whole; plus the image metadata.
  const std::string tar = f.dir / "images.tar";
  REQUIRE(sh("docker save -o " + sh_quote(tar) + " " + sh_quote(f.signed_image()) + " " +
             sh_quote("gsc-" + f.app + "-unsigned") + " " + sh_quote(gramine_image())).status == 0);
  const std::string saved = slurp(tar);
  REQUIRE(saved.size() > 1000000);
  const std::string inspect = sh("docker image inspect " + sh_quote(f.signed_image())).out;
  for (const auto& needle : needles) {
    CHECK(saved.find(needle) == std::string::npos);
    CHECK(inspect.find(needle) == std::string::npos);
  }
  // No container of the signing is left, and the build cache holds no context with the key.
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
  for (const auto& needle : needles) {
    const Run grep = sh("grep -rlF " + sh_quote(needles.front()) + " /var/lib/docker 2>/dev/null | head -1");
    CHECK(grep.out.empty());
    (void)needle;
  }
}

TEST_CASE("two-step signing with openssl in the middle equals direct signing", "[sign][two-step]") {
  auto& f = fixture();
  REQUIRE(gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", f.app, f.key}).status == 0);
  const std::string direct = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");

  const std::string pub = f.dir / "pub.pem", data = f.dir / "data.bin", sig = f.dir / "sig.bin";
  REQUIRE(sh("openssl rsa -in " + sh_quote(f.key) + " -pubout -out " + sh_quote(pub)).status == 0);
  const Run step1 = gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--export-signing-data", data, f.app, pub});
  INFO(step1.err);
  REQUIRE(step1.status == 0);
  CHECK(slurp(data).size() == 256);
  REQUIRE(sh("openssl dgst -sha256 -binary " + sh_quote(data) + " > " + sh_quote(data + ".sha256") +
             " && openssl pkeyutl -sign -inkey " + sh_quote(f.key) + " -pkeyopt digest:sha256 -in " +
             sh_quote(data + ".sha256") + " -out " + sh_quote(sig)).status == 0);
  const Run step2 = gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--import-signature", sig, f.app, pub});
  INFO(step2.err);
  REQUIRE(step2.status == 0);
  CHECK(file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig") == direct);

  // A signature over something else is refused, and nothing is tagged.
  write_file(f.dir / "bogus.bin", std::string(384, '\x01'));
  const Run bogus = gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--import-signature", f.dir / "bogus.bin", f.app, pub});
  CHECK(bogus.status == 5);
}

TEST_CASE("a flipped byte in the SIGSTRUCT is reported as an invalid signature", "[info][errors]") {
  auto& f = fixture();
  REQUIRE(gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  const std::string corrupt = unique_name("gsc-test-app/corrupt");
  ImageGuard guard({corrupt});
  // Flip one byte of MRENCLAVE (offset 960), inside the signed range.
  docker_build(corrupt, "FROM " + f.signed_image() + "\nUSER root\nRUN printf '\\377' | dd of=/gramine/app_files/entrypoint.sig bs=1 seek=960 conv=notrunc\n");
  const Run info = gsc({"info-image", corrupt});
  CHECK(info.status == 0);
  CHECK(toml_value(info.out, "signature_valid") == "false");
  CHECK(info.out.find("signature_problem") != std::string::npos);
}

TEST_CASE("sign-image and info-image bad inputs: one line, non-zero, nothing left", "[sign][errors]") {
  auto& f = fixture();
  auto one_line = [](const Run& r) {
    INFO(r.err);
    const auto at = r.err.find("gsc: error: ");
    REQUIRE(at != std::string::npos);
    CHECK(r.err.find('\n', at) == r.err.size() - 1);
  };
  SECTION("unsigned image missing says to run gsc build") {
    const Run r = gsc({"sign-image", "-c", f.config, "gsc-test-app/never-built", f.key});
    one_line(r);
    CHECK(r.status == 1);
    CHECK(r.err.find("gsc build") != std::string::npos);
  }
  SECTION("key file missing") {
    const Run r = gsc({"sign-image", "-c", f.config, f.app, f.dir / "nokey.pem"});
    one_line(r);
    CHECK(r.err.find("nokey.pem") != std::string::npos);
  }
  SECTION("not PEM") {
    write_file(f.dir / "junk.pem", "junk\n");
    const Run r = gsc({"sign-image", "-c", f.config, f.app, f.dir / "junk.pem"});
    one_line(r);
    CHECK(r.status == 5);
  }
  SECTION("not RSA") {
    REQUIRE(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + sh_quote(f.dir / "ec.pem")).status == 0);
    const Run r = gsc({"sign-image", "-c", f.config, f.app, f.dir / "ec.pem"});
    one_line(r);
    CHECK(r.err.find("not an RSA key") != std::string::npos);
  }
  SECTION("not 3072 bits") {
    REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(f.dir / "small.pem") + " 2048").status == 0);
    const Run r = gsc({"sign-image", "-c", f.config, f.app, f.dir / "small.pem"});
    one_line(r);
    CHECK(r.err.find("2048-bit") != std::string::npos);
  }
  SECTION("exponent not 3 says how to make a right one") {
    REQUIRE(sh("openssl genrsa -out " + sh_quote(f.dir / "e65537.pem") + " 3072").status == 0);
    const Run r = gsc({"sign-image", "-c", f.config, f.app, f.dir / "e65537.pem"});
    one_line(r);
    CHECK(r.err.find("openssl genrsa -3") != std::string::npos);
  }
  SECTION("info-image of an unsigned image, of a non-gsc image, of no image") {
    const Run unsigned_info = gsc({"info-image", "gsc-" + f.app + "-unsigned"});
    one_line(unsigned_info);
    CHECK(unsigned_info.err.find("gsc sign-image") != std::string::npos);
    const Run plain = gsc({"info-image", "gsc-test/debian:12"});
    one_line(plain);
    CHECK(plain.err.find("not a gsc image") != std::string::npos);
    const Run none = gsc({"info-image", "gsc-test/no-such-image:0"});
    one_line(none);
    CHECK(none.status == 1);
  }
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
}

TEST_CASE("real Gramine accepts gsc's manifest and measures the same MRENCLAVE", "[sign][real]") {
  if (gramine_image() != "gsc-test/gramine:1.9") {
    WARN("stand-in leg: the real Gramine checks run in the [real] leg");
    return;
  }
  auto& f = fixture();
  REQUIRE(gsc({"sign-image", "-c", f.config, "--date", "2026-05-06", f.app, f.key}).status == 0);
  write_file(f.dir / "entrypoint.manifest", file_of("gsc-" + f.app + "-unsigned", "/gramine/app_files/entrypoint.manifest"));
  write_file(f.dir / "gsc.sig", file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig"));
  // Real gramine-manifest-check, then real gramine-sgx-sign with the user's key on the same manifest and date.
  const Run real = sh("docker run --rm --network none -v " + sh_quote(f.dir.path().string()) + ":/w -w /w " +
                      gramine_image() +
                      " sh -c 'gramine-manifest-check entrypoint.manifest && gramine-sgx-sign --key key.pem "
                      "--manifest entrypoint.manifest --output real.manifest.sgx --sigfile real.sig --date 2026-05-06 -q'");
  INFO(real.err);
  REQUIRE(real.status == 0);
  const std::string ours = slurp(f.dir / "gsc.sig"), theirs = slurp(f.dir / "real.sig");
  REQUIRE(ours.size() == 1808);
  CHECK(ours.substr(960, 32) == theirs.substr(960, 32));  // MRENCLAVE
  CHECK(ours == theirs);                                  // and the whole SIGSTRUCT
  sh("rm -f " + sh_quote(f.dir / "real.sig") + " " + sh_quote(f.dir / "real.manifest.sgx"));
}
