// Real Gramine v1.9 compiled from its sources by `gsc build-gramine`: the offline-buildable
// checkout in GSC_GRAMINE_DIR (gramine-v1.9-offline.bundle, branch gsc-offline) as a local Gramine.Repository, on Debian 12 (`Registry: gsc-test`). About ten
// minutes per compile on two cores; CMake adds this suite only when the bundle is there, and
// not to the sanitizer build (one CI leg).

#include <catch2/catch.hpp>

#include <regex>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

const std::string kBundle = GSC_TEST_GRAMINE_BUNDLE;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Whether the build step whose line contains `text` came from the build cache.
bool step_cached(const std::string& output, const std::string& text) {
  const auto step = output.find(text);
  if (step == std::string::npos) return false;
  const auto next = output.find("--->", step);
  const std::string cached = "---> Using cache";
  return next != std::string::npos && output.compare(next, cached.size(), cached) == 0;
}

std::string image_id(const std::string& image) { return trimmed(sh("docker image inspect -f '{{.Id}}' " + sh_quote(image)).out); }

// The checkout, and config.yaml compiling it on Debian 12.
std::string checkout_and_config(const TempDir& dir) {
  const Run clone = sh("git clone -q -b gsc-offline " + sh_quote(kBundle) + " " + sh_quote(dir / "gramine"));
  if (clone.status != 0) FAIL("git clone of the bundle failed: " << clone.err);
  return write_compile_config(dir, "gramine", "gsc-offline");
}

Run run_direct(const std::string& image, const std::string& args = "", const std::string& env = "") {
  return sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + env + sh_quote(image) + args);
}

std::string mr_enclave_of_info(const std::string& image) {
  std::smatch m;
  const Run info = gsc({"info-image", image});
  if (!std::regex_search(info.out, m, std::regex("mr_enclave = \"([0-9a-f]{64})\""))) return "";
  return m[1].str();
}

// MRENCLAVE as the Gramine image's own gramine-sgx-sign computes it over the signed image's
// manifest (with a key of its own: the key does not enter MRENCLAVE).
std::string mr_enclave_of_gramine(const std::string& gramine, const std::string& signed_image, const TempDir& dir) {
  const std::string out = dir / "measure";
  std::filesystem::create_directories(out);
  const Run copied = sh("c=$(docker create " + sh_quote(signed_image) + ") && docker cp \"$c\":/gramine/app_files/entrypoint.manifest " +
                        sh_quote(out) + "/ ; s=$?; docker rm \"$c\" >/dev/null; exit $s");
  REQUIRE(copied.status == 0);
  const Run measured = sh("docker run --rm -v " + sh_quote(out) + ":/m --entrypoint /bin/sh " + sh_quote(gramine) +
                          " -c 'cd /m && gramine-sgx-gen-private-key k.pem >/dev/null 2>&1 && gramine-sgx-sign --key k.pem "
                          "--manifest entrypoint.manifest --output e.manifest.sgx --sigfile e.sig >/dev/null && "
                          "gramine-sgx-sigstruct-view e.sig; rm -f k.pem e.sig e.manifest.sgx entrypoint.manifest'");
  INFO(measured.err);
  std::smatch m;
  if (!std::regex_search(measured.out, m, std::regex("mr_enclave: ([0-9a-f]{64})"))) return "";
  return m[1].str();
}

}  // namespace

// Hidden from ctest, as the debug case below: a real compile takes 9 minutes on 2 cores, more
// than CI's budget leaves; run by hand as the README says (Tests).
TEST_CASE("real Gramine v1.9 compiles (with and without -L), then build, sign-image and gramine-direct run the apps",
          "[.][real-compile]") {
  TempDir dir;
  const std::string config = checkout_and_config(dir);
  const std::string gramine = unique_name("gsc-test-gramine/real");
  const std::string gramine_l = unique_name("gsc-test-gramine/real-l");
  const std::string hello = unique_name("gsc-test-app/real-hello");
  const std::string bash = unique_name("gsc-test-app/real-bash");
  ImageGuard guard({gramine, gramine_l});
  guard.add_app(hello);
  guard.add_app(bash);

  const Run compiled = gsc({"build-gramine", "-c", config, gramine});
  INFO(compiled.err.substr(compiled.err.size() > 4000 ? compiled.err.size() - 4000 : 0));
  REQUIRE(compiled.status == 0);
  CHECK(compiled.err.find("libcbor") != std::string::npos);  // the cmake-built subproject
  const Run tools = sh("docker run --rm --entrypoint /bin/sh " + sh_quote(gramine) +
                       " -c 'cd /gramine/meson_build_output/bin && ls gramine-direct gramine-sgx gramine-sgx-sign'");
  CHECK(tools.out == "gramine-direct\ngramine-sgx\ngramine-sgx-sign\n");  // both PALs, as the original

  // -L changes nothing in the compile (the direct PAL is always there): the dependencies and
  // the compile come from the build cache (only the source stage, removed after each build,
  // runs again, and gives the same bytes).
  const Run again = gsc({"build-gramine", "-L", "-c", config, gramine_l});
  INFO(again.err.substr(again.err.size() > 4000 ? again.err.size() - 4000 : 0));
  REQUIRE(again.status == 0);
  CHECK(step_cached(again.err, "apt-get install"));
  CHECK(step_cached(again.err, "meson setup build/"));
  CHECK(image_id(gramine_l) == image_id(gramine));

  // The original's test apps, Debian variants: hello-world (empty manifest) and bash
  // (--insecure-args, a manifest of its own).
  docker_build(hello, "FROM gsc-test/debian:12\nCMD [\"echo\", \"\\\"Hello from real Gramine: < & > \\\"\"]\n");
  docker_build(bash, "FROM gsc-test/debian:12\nCMD [\"bash\"]\n");
  write_file(dir / "hello.manifest", "# empty: gsc's defaults\n");
  write_file(dir / "bash.manifest", "sgx.enclave_size = \"4G\"\n");
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(dir / "key.pem") + " 3072").status == 0);
  const std::string use = write_config(dir, gramine);
  for (const auto& [app, manifest, flags] :
       {std::tuple{hello, dir / "hello.manifest", std::vector<std::string>{}},
        std::tuple{bash, dir / "bash.manifest", std::vector<std::string>{"--insecure-args"}}}) {
    INFO(app);
    std::vector<std::string> args{"build", "-c", use};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {app, manifest});
    const Run built = gsc(args);
    INFO(built.err);
    REQUIRE(built.status == 0);
    const Run signed_run = gsc({"sign-image", "-c", use, app, dir / "key.pem"});
    INFO(signed_run.err);
    REQUIRE(signed_run.status == 0);
    const std::string mr_enclave = mr_enclave_of_info("gsc-" + app);
    CHECK(mr_enclave.size() == 64);
    CHECK(mr_enclave == mr_enclave_of_gramine(gramine, "gsc-" + app, dir));
  }
  const Run hello_run = run_direct("gsc-" + hello);
  INFO(hello_run.err);
  CHECK(hello_run.out == "\"Hello from real Gramine: < & > \"\n");
  const Run bash_run = run_direct("gsc-" + bash, " -c 'echo bash says $((6 * 7))'");
  INFO(bash_run.err);
  CHECK(bash_run.out == "bash says 42\n");
}

// Hidden from ctest (a second real compile, a debug one: about 15 minutes, which CI's budget
// cannot take): run it by hand as the README says (Tests).
TEST_CASE("real Gramine v1.9 debug build: GDB=1 runs the app under gdb, in the app image, without a package manager",
          "[.][real-compile][debug]") {
  TempDir dir;
  const std::string config = checkout_and_config(dir);
  const std::string gramine = unique_name("gsc-test-gramine/real-debug");
  const std::string app = unique_name("gsc-test-app/real-gdb");
  ImageGuard guard({gramine});
  guard.add_app(app);

  const Run compiled = gsc({"build-gramine", "-b", "debug", "-c", config, gramine});
  INFO(compiled.err.substr(compiled.err.size() > 4000 ? compiled.err.size() - 4000 : 0));
  REQUIRE(compiled.status == 0);

  // GDB_SCRIPT: gdb runs the app (Gramine's direct PAL loading it) to the end, in batch mode. As
  // with Gramine's own scripts, the inferior's terminal is then /dev/null: the app's exit code,
  // which gdb reports, shows that it ran to its end.
  docker_build(app,
               "FROM gsc-test/debian:12\nCOPY run.gdb /run.gdb\n"
               "CMD [\"/bin/sh\", \"-c\", \"echo debugged hello; exit 7\"]\n",
               {{"run.gdb", "run\ninfo inferiors\n"}});
  write_file(dir / "app.manifest", "");
  REQUIRE(gsc({"build", "-b", "debug", "-c", write_config(dir, gramine), app, dir / "app.manifest"}).status == 0);
  // (No plain run: a debug build of Gramine takes minutes over this image's 5,000 trusted files,
  // and the case above runs apps without gdb.)
  const Run debugged = run_direct("gsc-" + app + "-unsigned", "", "-e GDB=1 -e GDB_SCRIPT=/run.gdb ");
  INFO(debugged.out << debugged.err);
  CHECK(debugged.err.find("No such file or directory") == std::string::npos);
  CHECK((debugged.out + debugged.err).find("Traceback") == std::string::npos);  // Gramine's gdb scripts load
  CHECK((debugged.out + debugged.err).find("[Inferior 1 (process") != std::string::npos);  // gdb ran it
  CHECK((debugged.out + debugged.err).find("exited with code 07]") != std::string::npos);   // to its end
}
