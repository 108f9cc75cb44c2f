// gsc sign-image and gsc info-image against the real daemon, through the CLI.

#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <regex>
#include <thread>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "gsc/signer.hpp"
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
    const Run build = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
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
  const Run sign = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key});
  INFO(sign.err);
  REQUIRE(sign.status == 0);
  const Run info = gsc_test::gsc({"info-image", f.signed_image()});
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

  const Run json = gsc_test::gsc({"info-image", "--format", "json", f.signed_image()});
  CHECK(json.status == 0);
  CHECK(json.out.find("\"mr_signer\": \"" + mr_signer_of(f.key) + "\"") != std::string::npos);

  // The signed image runs (direct PAL) and the SGX launcher accepts its files.
  const Run run = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + sh_quote(f.signed_image()));
  CHECK(run.out == "signed hello\n");
}

TEST_CASE("same inputs and date give the same SIGSTRUCT", "[sign][determinism]") {
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key}).status == 0);
  const std::string first = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-01-02", f.app, f.key}).status == 0);
  const std::string second = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");
  CHECK(first.size() == 1808);
  CHECK(first == second);
}

TEST_CASE("passphrase-protected key: right passphrase signs, wrong or missing one fails cleanly", "[sign][errors]") {
  auto& f = fixture();
  const std::string key = f.dir / "protected.pem";
  REQUIRE(sh("openssl genrsa -3 -aes256 -passout pass:s3cret -out " + sh_quote(key) + " 3072").status == 0);
  const Run good = gsc_test::gsc({"sign-image", "-c", f.config, "-p", "s3cret", f.app, key});
  INFO(good.err);
  CHECK(good.status == 0);
  const Run wrong = gsc_test::gsc({"sign-image", "-c", f.config, "--passphrase", "nope", f.app, key});
  CHECK(wrong.status == 5);
  CHECK(wrong.err.find("Wrong passphrase") != std::string::npos);
  const Run missing = gsc_test::gsc({"sign-image", "-c", f.config, f.app, key});
  CHECK(missing.status == 5);
  CHECK(missing.err.find("`--passphrase-file`") != std::string::npos);

  // Ways that keep the passphrase off the command line (where `ps` shows it).
  write_file(f.dir / "pass.txt", "s3cret\n");
  CHECK(gsc_test::gsc({"sign-image", "-c", f.config, "--passphrase-file", f.dir / "pass.txt", f.app, key}).status == 0);
  const std::string bin = sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc"));
  const std::string args = " sign-image -c " + sh_quote(f.config) + " " + sh_quote(f.app) + " " + sh_quote(key);
  CHECK(sh("GSC_TEST_PASS=s3cret " + bin + args + " --passphrase-env GSC_TEST_PASS").status == 0);
  CHECK(sh(bin + args + " --passphrase-fd 3 3< " + sh_quote(f.dir / "pass.txt")).status == 0);
  // A terminal prompt (no echo) when the key is encrypted and nothing else gave the passphrase.
  const Run prompted = sh("(sleep 1; echo s3cret) | script -qec " + sh_quote(bin + args) + " /dev/null");
  INFO(prompted.out);
  CHECK(prompted.status == 0);
  CHECK(prompted.out.find("Passphrase of ") != std::string::npos);
  CHECK(prompted.out.find("s3cret") == std::string::npos);
  const Run two = sh(bin + args + " -p s3cret --passphrase-env GSC_TEST_PASS");
  CHECK(two.status == 2);
  const Run unset = sh(bin + args + " --passphrase-env GSC_TEST_NO_SUCH_VAR");
  CHECK(unset.status == 1);
  CHECK(unset.err.find("GSC_TEST_NO_SUCH_VAR") != std::string::npos);
}

TEST_CASE("a key file that is a device, a fifo or huge is refused before it is read", "[sign][errors]") {
  auto& f = fixture();
  REQUIRE(sh("rm -f " + sh_quote(f.dir / "fifo.pem") + " && mkfifo " + sh_quote(f.dir / "fifo.pem")).status == 0);
  REQUIRE(sh("head -c 100000 /dev/zero > " + sh_quote(f.dir / "huge.pem")).status == 0);
  for (const std::string& key : {std::string("/dev/zero"), f.dir / "fifo.pem", f.dir / "huge.pem"}) {
    INFO(key);
    const Run r = sh("timeout 20 " + sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")) + " sign-image -c " +
                     sh_quote(f.config) + " " + sh_quote(f.app) + " " + sh_quote(key));
    CHECK(r.status == 1);
    CHECK(r.err.find("is not a key file") != std::string::npos);
  }
}

// Secrets of a key: the PEM body and the private exponent and primes (hex, as openssl prints).
std::vector<std::string> key_secrets(const std::string& key) {
  const Run text = sh("openssl rsa -in " + sh_quote(key) + " -noout -text");
  REQUIRE(text.status == 0);
  std::vector<std::string> needles;
  const std::string pem = slurp(key);
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
  return needles;
}

// Every image gsc made or used, saved whole, their metadata, the containers and the daemon's
// storage hold none of the key's secrets.
void check_key_absent(const SignedFixture& f, const std::string& key) {
  const std::vector<std::string> needles = key_secrets(key);
  const std::string tar = f.dir / "images.tar";
  REQUIRE(sh("docker save -o " + sh_quote(tar) + " " + sh_quote(f.signed_image()) + " " +
             sh_quote("gsc-" + f.app + "-unsigned") + " " + sh_quote(gramine_image())).status == 0);
  const std::string saved = slurp(tar);
  std::filesystem::remove(tar);
  REQUIRE(saved.size() > 1000000);
  const std::string inspect = sh("docker image inspect " + sh_quote(f.signed_image())).out;
  for (const auto& needle : needles) {
    CHECK(saved.find(needle) == std::string::npos);
    CHECK(inspect.find(needle) == std::string::npos);
  }
  // No container of the signing is left, and the build cache holds no context with the key.
  CHECK(dead_gsc_containers().empty());
  const Run grep = sh("grep -rlF " + sh_quote(needles.front()) + " /var/lib/docker 2>/dev/null | head -1");
  CHECK(grep.out.empty());
}

TEST_CASE("the private key is found nowhere in Docker afterwards", "[sign][key-safety]") {
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  check_key_absent(f, f.key);
}

TEST_CASE("two-step signing with openssl in the middle equals direct signing", "[sign][two-step]") {
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", f.app, f.key}).status == 0);
  const std::string direct = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");

  const std::string pub = f.dir / "pub.pem", data = f.dir / "data.bin", sig = f.dir / "sig.bin";
  REQUIRE(sh("openssl rsa -in " + sh_quote(f.key) + " -pubout -out " + sh_quote(pub)).status == 0);
  const Run step1 = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--export-signing-data", data, f.app, pub});
  INFO(step1.err);
  REQUIRE(step1.status == 0);
  CHECK(slurp(data).size() == 256);
  REQUIRE(sh("openssl dgst -sha256 -binary " + sh_quote(data) + " > " + sh_quote(data + ".sha256") +
             " && openssl pkeyutl -sign -inkey " + sh_quote(f.key) + " -pkeyopt digest:sha256 -in " +
             sh_quote(data + ".sha256") + " -out " + sh_quote(sig)).status == 0);
  const Run step2 = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--import-signature", sig, f.app, pub});
  INFO(step2.err);
  REQUIRE(step2.status == 0);
  CHECK(file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig") == direct);

  // A signature over something else is refused, and nothing is tagged.
  write_file(f.dir / "bogus.bin", std::string(384, '\x01'));
  const Run bogus = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-03-04", "--import-signature", f.dir / "bogus.bin", f.app, pub});
  CHECK(bogus.status == 5);
}

TEST_CASE("a flipped byte in the SIGSTRUCT is reported as an invalid signature", "[info][errors]") {
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  const std::string corrupt = unique_name("gsc-test-app/corrupt");
  ImageGuard guard({corrupt});
  // Flip one byte of MRENCLAVE (offset 960), inside the signed range.
  docker_build(corrupt, "FROM " + f.signed_image() + "\nUSER root\nRUN printf '\\377' | dd of=/gramine/app_files/entrypoint.sig bs=1 seek=960 conv=notrunc\n");
  const Run info = gsc_test::gsc({"info-image", corrupt});
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
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, "gsc-test-app/never-built", f.key});
    one_line(r);
    CHECK(r.status == 1);
    CHECK(r.err.find("gsc build") != std::string::npos);
  }
  SECTION("key file missing") {
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.dir / "nokey.pem"});
    one_line(r);
    CHECK(r.err.find("nokey.pem") != std::string::npos);
  }
  SECTION("not PEM") {
    write_file(f.dir / "junk.pem", "junk\n");
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.dir / "junk.pem"});
    one_line(r);
    CHECK(r.status == 5);
  }
  SECTION("not RSA") {
    REQUIRE(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + sh_quote(f.dir / "ec.pem")).status == 0);
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.dir / "ec.pem"});
    one_line(r);
    CHECK(r.err.find("not an RSA key") != std::string::npos);
  }
  SECTION("not 3072 bits") {
    REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(f.dir / "small.pem") + " 2048").status == 0);
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.dir / "small.pem"});
    one_line(r);
    CHECK(r.err.find("2048-bit") != std::string::npos);
  }
  SECTION("exponent not 3 says how to make a right one") {
    REQUIRE(sh("openssl genrsa -out " + sh_quote(f.dir / "e65537.pem") + " 3072").status == 0);
    const Run r = gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.dir / "e65537.pem"});
    one_line(r);
    CHECK(r.err.find("openssl genrsa -3") != std::string::npos);
  }
  SECTION("info-image of an unsigned image, of a non-gsc image, of no image") {
    const Run unsigned_info = gsc_test::gsc({"info-image", "gsc-" + f.app + "-unsigned"});
    one_line(unsigned_info);
    CHECK(unsigned_info.err.find("gsc sign-image") != std::string::npos);
    const Run plain = gsc_test::gsc({"info-image", "gsc-test/debian:12"});
    one_line(plain);
    CHECK(plain.err.find("not a gsc image") != std::string::npos);
    const Run none = gsc_test::gsc({"info-image", "gsc-test/no-such-image:0"});
    one_line(none);
    CHECK(none.status == 1);
  }
  CHECK(dead_gsc_containers().empty());
}

TEST_CASE("real Gramine accepts gsc's manifest and measures the same MRENCLAVE", "[sign][real]") {
  if (gramine_image() != "gsc-test/gramine:1.9") {
    WARN("stand-in leg: the real Gramine checks run in the [real] leg");
    return;
  }
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-05-06", f.app, f.key}).status == 0);
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

namespace {

bool real_leg() { return gramine_image() == "gsc-test/gramine:1.9"; }

// Builds `tag` FROM `base` with extra Dockerfile lines (as root), removed by `guard`.
void derive(ImageGuard& guard, const std::string& tag, const std::string& base, const std::string& lines) {
  guard.add(tag);
  docker_build(tag, "FROM " + base + "\nUSER root\n" + lines + "\n");
}

}  // namespace

TEST_CASE("sign-image measures the enclave itself: nothing of the image runs, the Gramine image is not needed", "[sign][native]") {
  auto& f = fixture();
  // A private copy of the Gramine image, gone before signing.
  const std::string gramine_copy = unique_name("gsc-test-gramine/copy");
  const std::string app = unique_name("gsc-test-app/native");
  ImageGuard guard({gramine_copy});
  guard.add_app(app);
  docker_build(gramine_copy, "FROM " + gramine_image() + "\nLABEL gsc.test.copy=" + gramine_copy.substr(gramine_copy.rfind('-') + 1) + "\n");
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"native\"]\n");
  TempDir own;  // not the fixture's config.yaml: the other cases keep theirs
  const std::string config = write_config(own, gramine_copy);
  const Run build = gsc_test::gsc({"build", "-c", config, app, f.dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  REQUIRE(sh("docker rmi " + sh_quote(gramine_copy)).status == 0);

  const std::string since = sh("date +%s.%N").out.substr(0, 20);
  const Run sign = gsc_test::gsc({"sign-image", "-c", config, "--date", "2026-12-02", app, f.key});
  const std::string until = sh("date +%s.%N").out.substr(0, 20);
  INFO(sign.err);
  if (!real_leg()) {
    // The stand-in Gramine is no version gsc measures: its signer is needed and is gone.
    CHECK(sign.status == 1);
    CHECK(sign.err.find("does not measure itself") == std::string::npos);
    CHECK(sign.err.find("Cannot find the Gramine image `" + gramine_copy + "`") != std::string::npos);
    CHECK_FALSE(image_exists("gsc-" + app));
    return;
  }
  REQUIRE(sign.status == 0);
  CHECK(sign.err.find("Measuring the enclave (Gramine 1.9)") != std::string::npos);
  // The daemon started no container of the image being signed.
  const Run events = sh("docker events --since " + since + " --until " + until +
                        " --filter type=container --filter event=start --filter image=" + sh_quote("gsc-" + app + "-unsigned") +
                        " --format '{{.ID}}'");
  CHECK(events.out.empty());
  const Run run = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + sh_quote("gsc-" + app));
  CHECK(run.out == "native\n");
}

TEST_CASE("a relabelled image cannot choose the Gramine that measures it", "[sign][security]") {
  auto& f = fixture();
  const std::string evil = unique_name("gsc-test-gramine/evil");
  const std::string app = unique_name("gsc-test-app/oracle");
  ImageGuard guard({evil});
  guard.add_app(app);
  // A "Gramine" whose signer rewrites MRENCLAVE (bytes 960..) of what the real one wrote.
  docker_build(evil, "FROM " + gramine_image() + "\n"
                     "RUN mv /gramine/meson_build_output/bin/gramine-sgx-sign /gramine/meson_build_output/bin/real-sign && "
                     "printf '#!/bin/sh\\n/gramine/meson_build_output/bin/real-sign \"$@\" || exit 1\\n"
                     "while [ $# -gt 0 ]; do [ \"$1\" = --sigfile ] && s=$2; shift; done\\n"
                     "printf \"\\\\336\\\\255\\\\276\\\\357\" | dd of=$s bs=1 seek=960 conv=notrunc 2>/dev/null\\n' "
                     "> /gramine/meson_build_output/bin/gramine-sgx-sign && chmod +x /gramine/meson_build_output/bin/gramine-sgx-sign\n");
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"oracle\"]\n");
  REQUIRE(gsc_test::gsc({"build", "-c", f.config, app, f.dir / "app.manifest"}).status == 0);
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-12-02", app, f.key}).status == 0);
  const std::string genuine = sh("docker image inspect -f '{{ index .Config.Labels \"gsc.mr_enclave\" }}' " + sh_quote("gsc-" + app)).out;
  REQUIRE(genuine.size() == 65);
  REQUIRE(sh("docker rmi " + sh_quote("gsc-" + app)).status == 0);

  // The unsigned image now names the evil Gramine as the one it was built with.
  const std::string evil_id = sh("docker image inspect -f '{{.Id}}' " + sh_quote(evil)).out.substr(0, 71);
  docker_build("gsc-" + app + "-unsigned", "FROM gsc-" + app + "-unsigned\nLABEL gsc.gramine.image_id=" + evil_id + "\n");
  const Run sign = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-12-02", app, f.key});
  INFO(sign.err);
  if (real_leg()) {
    REQUIRE(sign.status == 0);  // measured by gsc: the label plays no part
    const Run info = gsc_test::gsc({"info-image", "gsc-" + app});
    CHECK(toml_value(info.out, "mr_enclave") + "\n" == genuine);
    CHECK(info.out.find("deadbeef") == std::string::npos);
  } else {
    // Gramine's own signer is needed: only config.yaml's Gramine.Image may be it, and it is not
    // the image the label names.
    CHECK(sign.status == 1);
    CHECK(sign.err.find("was built with the Gramine image " + evil_id) != std::string::npos);
    CHECK_FALSE(image_exists("gsc-" + app));
  }
  CHECK(dead_gsc_containers().empty());
}

TEST_CASE("verify-image: a fresh image verifies, and a changed file, manifest or runtime is named", "[verify]") {
  auto& f = fixture();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  if (!real_leg()) {
    const Run r = gsc_test::gsc({"verify-image", f.signed_image()});
    CHECK(r.status == 2);
    CHECK(r.err.find("Gramine 1.9 only") != std::string::npos);
    return;
  }
  const Run ok = gsc_test::gsc({"verify-image", f.signed_image()});
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(ok.out.find("verified: MRENCLAVE") != std::string::npos);
  const Run json = gsc_test::gsc({"verify-image", "--format", "json", f.signed_image()});
  CHECK(json.status == 0);
  CHECK(json.out.find("\"match\": true") != std::string::npos);

  ImageGuard guard;
  const std::string file = unique_name("gsc-test-app/tamper-file");
  const std::string manifest = unique_name("gsc-test-app/tamper-manifest");
  const std::string runtime = unique_name("gsc-test-app/tamper-runtime");
  derive(guard, file, f.signed_image(), "RUN echo x >> /usr/bin/echo");
  derive(guard, manifest, f.signed_image(), "RUN sed -i 's/^max_threads = 4$/max_threads = 5/' /gramine/app_files/entrypoint.manifest.sgx");
  // One byte inside the PAL's first loadable segment.
  derive(guard, runtime, f.signed_image(),
         "RUN printf 'X' | dd of=/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/sgx/libpal.so bs=1 seek=8192 conv=notrunc");
  const Run r1 = gsc_test::gsc({"verify-image", file});
  CHECK(r1.status == 1);
  CHECK(r1.out.find("trusted file /usr/bin/echo: content changed") != std::string::npos);
  const Run r2 = gsc_test::gsc({"verify-image", manifest});
  CHECK(r2.status == 1);
  CHECK(r2.out.find("manifest /gramine/app_files/entrypoint.manifest.sgx: changed since signing") != std::string::npos);
  CHECK(r2.out.find("sigstruct /gramine/app_files/entrypoint.sig: MRENCLAVE") != std::string::npos);
  const Run r3 = gsc_test::gsc({"verify-image", "--format", "json", runtime});
  CHECK(r3.status == 1);
  CHECK(r3.out.find("\"part\": \"runtime\"") != std::string::npos);
  CHECK(r3.out.find("\"match\": false") != std::string::npos);
  // Errors: one line, status 2.
  const Run none = gsc_test::gsc({"verify-image", "gsc-test/no-such-image:0"});
  CHECK(none.status == 2);
  const Run unsigned_image = gsc_test::gsc({"verify-image", "gsc-" + f.app + "-unsigned"});
  CHECK(unsigned_image.status == 2);
  CHECK(unsigned_image.err.find("not signed") != std::string::npos);
}

TEST_CASE("an image whose manifest lists files without hashes (as the original GSC builds them) is signed with the original's MRENCLAVE", "[sign][original]") {
  auto& f = fixture();
  const std::string app = unique_name("gsc-test-app/original");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"original\"]\n");
  REQUIRE(gsc_test::gsc({"build", "-c", f.config, app, f.dir / "app.manifest"}).status == 0);
  // As the original leaves it: trusted files as bare URIs and a directory, no gsc labels.
  const std::string unsigned_name = "gsc-" + app + "-unsigned";
  docker_build(unsigned_name, "FROM " + unsigned_name + "\nUSER root\n"
               "RUN sed -i -e 's/^\\(  \\){ uri = \\(\"file:[^\"]*\"\\), sha256 = \"[0-9a-f]*\" },$/\\1\\2,/' "
               "-e 's|^sgx.trusted_files = \\[$|sgx.trusted_files = [\\n  \"file:/etc/apt/\",|' /gramine/app_files/entrypoint.manifest "
               "&& ! grep -q 'sha256 = \"[0-9a-f]\\{64\\}\" },$' /gramine/app_files/entrypoint.manifest\n"
               "LABEL gsc.tool= gsc.gramine.image_id=\n");
  const Run sign = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-12-02", app, f.key});
  INFO(sign.err);
  if (!real_leg()) {
    // The stand-in's signer needs hashes: the configured Gramine image is used and says so.
    CHECK(sign.status != 0);
    CHECK(sign.err.find("gsc: error: ") != std::string::npos);
    return;
  }
  REQUIRE(sign.status == 0);
  CHECK(sign.err.find("Reading the image's files") != std::string::npos);
  // The original's way: Gramine's signer over the image's own files (here: its exported tree).
  TempDir root;
  REQUIRE(sh("docker create --name " + sh_quote(app.substr(app.rfind('/') + 1)) + " " + sh_quote(unsigned_name) +
             " /x >/dev/null && docker export " + sh_quote(app.substr(app.rfind('/') + 1)) + " | tar -x -C " +
             sh_quote(root.path().string()) + "; docker rm " + sh_quote(app.substr(app.rfind('/') + 1))).status == 0);
  REQUIRE(sh("cp " + sh_quote(f.key) + " " + sh_quote(root / "key.pem")).status == 0);
  const Run real = sh("docker run --rm --network none -v " + sh_quote(root.path().string()) + ":/r " + gramine_image() +
                      " gramine-sgx-sign -q --chroot /r --key /r/key.pem --manifest /r/gramine/app_files/entrypoint.manifest"
                      " --libpal /r/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/sgx/libpal.so"
                      " --output /r/real.sgx --sigfile /r/real.sig --date 2026-12-02");
  INFO(real.err);
  REQUIRE(real.status == 0);
  CHECK(file_of("gsc-" + app, "/gramine/app_files/entrypoint.sig") == slurp(root / "real.sig"));
  CHECK(file_of("gsc-" + app, "/gramine/app_files/entrypoint.manifest.sgx") == slurp(root / "real.sgx"));
  sh("rm -rf " + sh_quote(root.path().string()) + "/*");
}

// --- The library: every input from memory, a Signer, the policy for an existing signed image.

namespace {

std::string templates_dir() { return GSC_TEST_BINARY_DIR "/share/gsc/templates"; }

// A signer with a public key and a private key of the caller's choosing, counting its calls.
class TestSigner final : public gsc::Signer {
 public:
  TestSigner(std::shared_ptr<gsc::Signer> public_half, std::shared_ptr<gsc::Signer> private_half)
      : public_(std::move(public_half)), private_(std::move(private_half)) {}
  std::string modulus() override { return public_->modulus(); }
  std::string sign(const gsc::SigningRequest& request) override {
    ++calls;
    return private_->sign(request);
  }
  int calls = 0;

 private:
  std::shared_ptr<gsc::Signer> public_, private_;
};

gsc::SignOptions library_sign_options(const SignedFixture& f) {
  gsc::SignOptions o;
  o.image = f.app;
  o.templates_dir = templates_dir();
  o.config_path = f.config;
  o.date = "2026-07-08";
  return o;
}

}  // namespace

TEST_CASE("library: a key from PEM bytes, a Signer callback and a key file sign alike, the key stays out of Docker", "[sign][library][key-safety]") {
  auto& f = fixture();
  auto client = gsc::docker::Client::from_environment();
  const Run cli = gsc_test::gsc({"sign-image", "-c", f.config, "--date", "2026-07-08", f.app, f.key});
  INFO(cli.err);
  REQUIRE(cli.status == 0);
  const std::string from_file = file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig");

  gsc::SignOptions pem = library_sign_options(f);
  pem.key_path = "/nonexistent/key.pem";  // PEM bytes win
  pem.key_pem = slurp(f.key);
  const auto r1 = gsc::sign_image(client, pem, {});
  CHECK(r1.image_name == f.signed_image());
  CHECK(file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig") == from_file);
  check_key_absent(f, f.key);

  // An encrypted key in memory, with its passphrase.
  const std::string protected_key = f.dir / "library-protected.pem";
  REQUIRE(sh("openssl rsa -in " + sh_quote(f.key) + " -aes256 -passout pass:pw -out " + sh_quote(protected_key)).status == 0);
  gsc::SignOptions encrypted = library_sign_options(f);
  encrypted.key_pem = slurp(protected_key);
  encrypted.passphrase = "pw";
  CHECK_NOTHROW(gsc::sign_image(client, encrypted, {}));
  CHECK(file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig") == from_file);

  // A signer callback (an HSM): called once, the same SIGSTRUCT.
  std::shared_ptr<gsc::Signer> key = gsc::make_pem_signer(slurp(f.key));
  auto signer = std::make_shared<TestSigner>(key, key);
  gsc::SignOptions with_signer = library_sign_options(f);
  with_signer.signer = signer;
  const auto r2 = gsc::sign_image(client, with_signer, {});
  CHECK(signer->calls == 1);
  CHECK(r2.info.mr_signer == mr_signer_of(f.key));
  CHECK(file_of(f.signed_image(), "/gramine/app_files/entrypoint.sig") == from_file);
}

TEST_CASE("library: a signer that signs with another key than it states fails in one line, gsc-IMAGE untouched", "[sign][library][errors]") {
  auto& f = fixture();
  auto client = gsc::docker::Client::from_environment();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  const std::string before = sh("docker image inspect -f '{{.Id}}' " + sh_quote(f.signed_image())).out;
  const std::string other = f.dir / "other.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(other) + " 3072").status == 0);
  gsc::SignOptions o = library_sign_options(f);
  o.signer = std::make_shared<TestSigner>(gsc::make_file_signer(f.key), gsc::make_file_signer(other));
  try {
    gsc::sign_image(client, o, {});
    FAIL("signed with a mismatched signer");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::signature);
    CHECK(std::string(e.what()).find("The signature does not verify") == 0);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
  CHECK(sh("docker image inspect -f '{{.Id}}' " + sh_quote(f.signed_image())).out == before);
}

TEST_CASE("library: config and manifest from memory build the same image as from files, errors name them", "[build][library]") {
  auto& f = fixture();
  auto client = gsc::docker::Client::from_environment();
  const std::string unsigned_id = sh("docker image inspect -f '{{.Id}}' " + sh_quote("gsc-" + f.app + "-unsigned")).out;
  gsc::BuildOptions o;
  o.image = f.app;
  o.templates_dir = templates_dir();
  o.config_path = "/nonexistent/config.yaml";  // memory wins
  o.manifest_path = "/nonexistent/app.manifest";
  gsc::Config config;
  config.distro = "debian:12";
  config.gramine.image = gramine_image();
  o.config = config;
  o.manifest_text = "sgx.isvprodid = 7\nsgx.isvsvn = 3\n";
  o.existing_signed = gsc::ExistingSigned::rebuild;
  const auto r = gsc::build(client, o, {});
  INFO(sh("docker inspect -f '{{json .Config}} {{.Parent}}' " + r.image_id + " " + unsigned_id).out);
  CHECK(r.image_id + "\n" == unsigned_id);

  // The same from config.yaml's text.
  o.config.reset();
  o.config_text = "Distro: \"debian:12\"\nGramine:\n  Image: \"" + gramine_image() + "\"\n";
  CHECK(gsc::build(client, o, {}).image_id + "\n" == unsigned_id);

  auto error_of = [&](const gsc::BuildOptions& options) {
    try {
      gsc::build(client, options, {});
    } catch (const gsc::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  gsc::BuildOptions bad = o;
  bad.manifest_text = "sgx.isvprodid = 7\nsgx.isvsvn = = 3\n";
  CHECK(error_of(bad).find("manifest (from memory):2:") == 0);
  bad = o;
  bad.config_text = "Distro: \"debian:12\"\nGramine: {}\n";
  CHECK(error_of(bad).find("config.yaml (from memory):2: `Gramine.Repository` is missing") == 0);
  bad = o;
  bad.config = gsc::Config{};
  CHECK(error_of(bad).find("the Config given in code: `Gramine.Repository` is missing") == 0);
}

TEST_CASE("library: an existing signed image is rebuilt by default, reused or refused on request", "[build][library]") {
  auto& f = fixture();
  auto client = gsc::docker::Client::from_environment();
  REQUIRE(gsc_test::gsc({"sign-image", "-c", f.config, f.app, f.key}).status == 0);
  gsc::BuildOptions o;
  o.image = f.app;
  o.templates_dir = templates_dir();
  o.config_path = f.config;
  o.manifest_path = f.dir / "app.manifest";
  CHECK(o.existing_signed == gsc::ExistingSigned::rebuild);
  const auto rebuilt = gsc::build(client, o, {});
  CHECK_FALSE(rebuilt.already_signed);
  CHECK(rebuilt.image_name == "gsc-" + f.app + "-unsigned");

  o.existing_signed = gsc::ExistingSigned::reuse;
  const auto reused = gsc::build(client, o, {});
  CHECK(reused.already_signed);
  CHECK(reused.image_name == f.signed_image());

  o.existing_signed = gsc::ExistingSigned::fail;
  try {
    gsc::build(client, o, {});
    FAIL("built over an existing signed image");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::conflict);
    CHECK(std::string(e.what()).find("`" + f.signed_image() + "` already exists") == 0);
  }
  // The CLI keeps the original's behaviour: reuse, with its message.
  const Run cli = gsc_test::gsc({"build", "-c", f.config, f.app, f.dir / "app.manifest"});
  CHECK(cli.status == 0);
  CHECK(cli.out.find("already exists: nothing to build") != std::string::npos);
}

TEST_CASE("library: progress has phases and counts while hashing, on the caller's thread, the CLI prints plain lines in a pipe", "[build][library][progress]") {
  auto& f = fixture();
  auto client = gsc::docker::Client::from_environment();
  TempDir cache;  // an empty scan cache: the stage is exported and hashed
  gsc::BuildOptions o;
  o.image = f.app;
  o.templates_dir = templates_dir();
  o.config_path = f.config;
  o.manifest_path = f.dir / "app.manifest";
  o.cache_dir = cache.path().string();
  std::vector<gsc::ProgressEvent> events;
  bool other_thread = false;
  const auto caller = std::this_thread::get_id();
  gsc::build(client, o, [&](const gsc::ProgressEvent& e) {
    if (std::this_thread::get_id() != caller) other_thread = true;
    events.push_back(e);
  });
  CHECK_FALSE(other_thread);
  std::size_t counters = 0, finished = 0;
  for (const auto& e : events) {
    INFO(e.text);
    CHECK(e.phase != gsc::Phase::none);
    if (e.kind != gsc::ProgressEvent::Kind::progress) continue;
    ++counters;
    CHECK(e.phase == gsc::Phase::export_and_hash);
    if (!e.finished) continue;
    ++finished;
    CHECK(e.files_done > 100);
    CHECK(e.bytes_done > 1000000);
    CHECK(e.bytes_done == e.bytes_total);
    CHECK(e.text.find("hashed ") == 0);
  }
  CHECK(finished == 1);
  CHECK(counters >= 1);
  CHECK(std::any_of(events.begin(), events.end(), [](const gsc::ProgressEvent& e) {
    return e.kind == gsc::ProgressEvent::Kind::build_output && e.phase == gsc::Phase::stage_build;
  }));

  // The CLI in a pipe (not a terminal): the total as one plain line, no bar.
  const Run cli = sh("GSC_CACHE_DIR=" + sh_quote(cache / "cli") + " " + sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")) +
                     " build --rebuild -c " + sh_quote(f.config) + " " + sh_quote(f.app) + " " +
                     sh_quote(f.dir / "app.manifest"));
  CHECK(cli.status == 0);
  CHECK(cli.err.find("gsc: hashed ") != std::string::npos);
  CHECK(cli.err.find('\r') == std::string::npos);
  CHECK(cli.err.find("\033[") == std::string::npos);
}
