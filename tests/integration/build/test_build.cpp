// gsc build against the real daemon, through the CLI as a user runs it.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

const std::string kHelloText = "\"Hello World! Let's check escaped symbols: < & > \"";

// docker run of a graminized image under the Linux (direct) PAL: no SGX here.
Run run_direct(const std::string& image, const std::vector<std::string>& args = {},
               const std::string& mode_env = "GRAMINE_MODE=direct") {
  std::string cmd = "docker run --rm --security-opt seccomp=unconfined -e " + sh_quote(mode_env) + " " +
                    sh_quote(image);
  for (const auto& a : args) cmd += " " + sh_quote(a);
  return sh(cmd);
}

// A file of an image, read with `docker run --entrypoint cat`.
std::string cat_in(const std::string& image, const std::string& path) {
  const Run r = sh("docker run --rm --entrypoint /bin/cat " + sh_quote(image) + " " + sh_quote(path));
  REQUIRE(r.status == 0);
  return r.out;
}

// In the real-Gramine leg: the manifest gsc wrote passes real gramine-manifest-check.
void check_manifest_with_real_gramine(const std::string& image) {
  if (gramine_image() != "gsc-test/gramine:1.9") return;
  TempDir dir;
  write_file(dir / "entrypoint.manifest", cat_in(image, "/gramine/app_files/entrypoint.manifest"));
  const Run check = sh("docker run --rm --network none -v " + sh_quote(dir.path().string()) + ":/w " + gramine_image() +
                       " gramine-manifest-check /w/entrypoint.manifest");
  INFO(check.err);
  CHECK(check.status == 0);
}

// `uri = "file:/x", sha256 = "h"` pairs of the manifest's sgx.trusted_files.
std::map<std::string, std::string> trusted_files_of(const std::string& manifest) {
  std::map<std::string, std::string> out;
  static const std::regex entry(R"re(uri = "file:([^"]+)", sha256 = "([0-9a-f]{64})")re");
  for (auto it = std::sregex_iterator(manifest.begin(), manifest.end(), entry); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

}  // namespace

TEST_CASE("hello-world: gsc build, then run under the direct PAL prints the exact text", "[build]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/hello");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"echo\", \"\\\"Hello World! Let's check escaped symbols: < & > \\\"\"]\n");
  write_file(dir / "app.manifest", "");

  // Distro: auto reads the image's /etc/os-release (a symlink on Debian) without running it.
  const Run build = gsc({"build", "-c", write_config(dir, gramine_image(), "auto"), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  REQUIRE(image_exists("gsc-" + app + "-unsigned"));
  CHECK(build.err.find("distro: debian:12") != std::string::npos);
  check_manifest_with_real_gramine("gsc-" + app + "-unsigned");

  const Run run = run_direct("gsc-" + app + "-unsigned");
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == kHelloText + "\n");

  // The seed's older switch means the same.
  const Run legacy = run_direct("gsc-" + app + "-unsigned", {}, "GSC_PAL=Linux");
  CHECK(legacy.out == kHelloText + "\n");

  // A second build when gsc-IMAGE exists: says so, builds nothing, exit 0.
  sh("docker tag " + sh_quote("gsc-" + app + "-unsigned") + " " + sh_quote("gsc-" + app));
  const Run again = gsc({"build", "-c", write_config(dir), app, dir / "app.manifest"});
  CHECK(again.status == 0);
  CHECK(again.out.find("already exists") != std::string::npos);
}

TEST_CASE("python app: ENTRYPOINT + CMD, WORKDIR, USER, tricky ENV", "[build]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/py");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app,
               "FROM gsc-test/python3:12\n"
               "WORKDIR /srv/app\n"
               "COPY app.py /srv/app/app.py\n"
               "RUN useradd --uid 1000 --no-create-home appuser\n"
               "USER appuser\n"
               "ENV QUOTED=\"say \\\"hi\\\" \\\\ back\" PLAIN=value\n"
               "ENTRYPOINT [\"/usr/bin/python3\", \"app.py\"]\n"
               "CMD [\"first\", \"second arg\"]\n",
               {{"app.py",
                 "import os, sys\nprint('argv=' + '|'.join(sys.argv[1:]))\nprint('cwd=' + os.getcwd())\n"
                 "print('quoted=' + os.environ.get('QUOTED', '?'))\nprint('plain=' + os.environ.get('PLAIN', '?'))\n"
                 "print('uid=' + str(os.getuid()))\n"}});
  write_file(dir / "app.manifest", "sgx.enclave_size = \"1G\"\nsgx.max_threads = 8\n");
  const std::string config = write_config(dir);

  SECTION("trusted argv: exactly ENTRYPOINT then CMD; runtime args ignored") {
    const Run build = gsc({"build", "-c", config, app, dir / "app.manifest"});
    INFO(build.err);
    REQUIRE(build.status == 0);
    const std::string image = "gsc-" + app + "-unsigned";
    check_manifest_with_real_gramine(image);
    // argv[0] as ENTRYPOINT says; measured with the manifest, not a file beside it.
    const std::string manifest = cat_in(image, "/gramine/app_files/entrypoint.manifest");
    CHECK_THAT(manifest, Catch::Contains("\nloader.argv = [\"/usr/bin/python3\", \"app.py\", \"first\", \"second arg\"]\n"));
    CHECK_THAT(manifest, !Catch::Contains("argv_src_file"));

    const Run run = run_direct(image, {"ignored-arg"});
    INFO(run.err);
    CHECK(run.status == 0);
    CHECK(run.out.find("argv=first|second arg\n") != std::string::npos);
    CHECK(run.out.find("cwd=/srv/app\n") != std::string::npos);
    CHECK(run.out.find("quoted=say \"hi\" \\ back\n") != std::string::npos);
    CHECK(run.out.find("plain=value\n") != std::string::npos);
    CHECK(run.out.find("uid=1000\n") != std::string::npos);
  }

  SECTION("--insecure-args: runtime args replace CMD, which stays the default") {
    const Run build = gsc({"build", "--insecure-args", "-c", config, app, dir / "app.manifest"});
    INFO(build.err);
    REQUIRE(build.status == 0);
    const std::string image = "gsc-" + app + "-unsigned";
    check_manifest_with_real_gramine(image);
    const Run defaults = run_direct(image);
    INFO(defaults.err);
    CHECK(defaults.out.find("argv=first|second arg\n") != std::string::npos);
    const Run given = run_direct(image, {"x", "y z"});
    INFO(given.err);
    CHECK(given.out.find("argv=x|y z\n") != std::string::npos);
  }
}

TEST_CASE("trusted files: hashes match sha256sum in the image, exclusions hold, tampering is refused",
          "[build]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/files");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app,
               "FROM gsc-test/debian:12\n"
               "RUN mkdir -p /opt/data && echo payload > /opt/data/file.txt && ln -s file.txt /opt/data/link\n"
               "CMD [\"/bin/cat\", \"/opt/data/link\"]\n");
  write_file(dir / "app.manifest", "");
  const Run build = gsc({"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const std::string image = "gsc-" + app + "-unsigned";
  const std::string manifest = cat_in(image, "/gramine/app_files/entrypoint.manifest");
  check_manifest_with_real_gramine(image);
  const auto trusted = trusted_files_of(manifest);
  REQUIRE(trusted.size() > 100);

  // Both sides of Debian's /lib -> usr/lib, a symlink under its own path; not what starts the
  // enclave from outside (/gramine/gsc).
  CHECK(trusted.count("/usr/lib/x86_64-linux-gnu/libc.so.6") == 1);
  CHECK(trusted.count("/lib/x86_64-linux-gnu/libc.so.6") == 1);
  CHECK(trusted.count("/opt/data/link") == 1);
  CHECK(trusted.at("/opt/data/link") == trusted.at("/opt/data/file.txt"));
  CHECK(trusted.count("/gramine/app_files/hosts") == 1);
  for (const auto& [path, hash] : trusted) {
    INFO(path);
    CHECK(path.rfind("/gramine/gsc/", 0) != 0);
    CHECK_FALSE(std::regex_match(path, std::regex("/(var|proc|sys|dev|boot)/.*")));
    CHECK(path != "/etc/hosts");
    CHECK(path != "/etc/hostname");
    CHECK(path != "/etc/resolv.conf");
    CHECK(path.rfind("/etc/shadow", 0) != 0);
  }

  // Every hash equals what sha256sum computes inside the image.
  std::string list;
  for (const auto& [path, hash] : trusted) list += path + "\n";
  write_file(dir / "paths", list);
  const Run sums = sh("docker run --rm -i --entrypoint /bin/sh " + sh_quote(image) +
                      " -c 'tr \"\\n\" \"\\0\" | xargs -0 sha256sum' < " + sh_quote(dir / "paths"));
  REQUIRE(sums.status == 0);
  std::istringstream lines(sums.out);
  std::string hash, path;
  std::size_t checked = 0;
  while (lines >> hash >> path) {
    INFO(path);
    CHECK(trusted.at(path) == hash);
    ++checked;
  }
  CHECK(checked == trusted.size());

  // The app runs; a file changed after the build makes the launcher refuse. (Only the stand-in
  // checks hashes under the direct PAL; real Gramine checks them in SGX mode, absent here.)
  CHECK(run_direct(image).out == "payload\n");
  if (gramine_image() != "gsc-test/gramine-standin:1.9") return;
  const std::string tampered = unique_name("gsc-test-app/tampered");
  guard.add(tampered);
  docker_build(tampered, "FROM " + image + "\nUSER root\nRUN echo evil > /opt/data/file.txt\n");
  const Run refused = run_direct(tampered);
  CHECK(refused.status != 0);
  CHECK(refused.out.find("evil") == std::string::npos);
  CHECK(refused.err.find("/opt/data/") != std::string::npos);
}

TEST_CASE("two builds of the same image give byte-identical manifests", "[build][determinism]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/det");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nENV B=2 A=1\nCMD [\"/bin/true\"]\n");
  write_file(dir / "app.manifest", "loader.env.EXTRA = \"x\"\n");
  const std::string config = write_config(dir);
  const std::string image = "gsc-" + app + "-unsigned";

  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const std::string first = cat_in(image, "/gramine/app_files/entrypoint.manifest");
  REQUIRE(gsc({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}).status == 0);
  const std::string second = cat_in(image, "/gramine/app_files/entrypoint.manifest");
  CHECK(first == second);
}

TEST_CASE("bad inputs: one-line error, non-zero exit, nothing left behind", "[build][errors]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/bad");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "ok.manifest", "");
  const std::string config = write_config(dir);

  // Progress lines may come first; the error is one line, the last one.
  auto one_line_error = [](const Run& r) {
    INFO(r.err);
    CHECK(r.status != 0);
    const auto at = r.err.find("gsc: error: ");
    REQUIRE(at != std::string::npos);
    CHECK(r.err.find('\n', at) == r.err.size() - 1);
    CHECK(r.err.find("terminate called") == std::string::npos);
  };

  SECTION("unknown image") {
    const Run r = gsc({"build", "-c", config, "gsc-test-app/no-such-image", dir / "ok.manifest"});
    one_line_error(r);
    CHECK(r.status == 1);
    CHECK(r.err.find("gsc-test-app/no-such-image") != std::string::npos);
  }
  SECTION("missing manifest") {
    const Run r = gsc({"build", "-c", config, app, dir / "missing.manifest"});
    one_line_error(r);
    CHECK(r.err.find("missing.manifest") != std::string::npos);
  }
  SECTION("malformed manifest names file, line and column") {
    write_file(dir / "bad.manifest", "sgx.debug = true\nloader.env = [unclosed\n");
    const Run r = gsc({"build", "-c", config, app, dir / "bad.manifest"});
    one_line_error(r);
    CHECK(r.err.find("bad.manifest:2") != std::string::npos);
  }
  SECTION("bad config key names the line") {
    write_file(dir / "bad.yaml", "Distro: \"debian:12\"\nGramine:\n  Imagee: \"x\"\n");
    const Run r = gsc({"build", "-c", dir / "bad.yaml", app, dir / "ok.manifest"});
    one_line_error(r);
    CHECK(r.err.find(":3") != std::string::npos);
    CHECK(r.err.find("Imagee") != std::string::npos);
  }
  SECTION("missing config file") {
    const Run r = gsc({"build", "-c", dir / "nope.yaml", app, dir / "ok.manifest"});
    one_line_error(r);
    CHECK(r.err.find("nope.yaml") != std::string::npos);
  }
  SECTION("missing Gramine image") {
    const Run r = gsc({"build", "-c", write_config(dir, "gsc-test/no-such-gramine:0"), app, dir / "ok.manifest"});
    one_line_error(r);
    CHECK(r.err.find("gsc-test/no-such-gramine:0") != std::string::npos);
  }
  SECTION("a Gramine image without Gramine's SGX loader") {
    const Run r = gsc({"build", "-c", write_config(dir, "gsc-test/busybox:1"), app, dir / "ok.manifest"});
    one_line_error(r);
    CHECK_THAT(r.err, Catch::Contains("`gsc-test/busybox:1` has no SGX loader at /gramine/meson_build_output/"));
  }
  SECTION("a failing build step shows the step and its output") {
    // An app image whose /gramine is a file: the stage's COPY into it fails in the daemon.
    const std::string blocked = unique_name("gsc-test-app/gramine-is-a-file");
    guard.add_app(blocked);
    docker_build(blocked, "FROM gsc-test/debian:12\nRUN echo not a directory > /gramine\nCMD [\"/bin/true\"]\n");
    const Run r = gsc({"build", "-c", write_config(dir), blocked, dir / "ok.manifest"});
    INFO(r.err);
    CHECK(r.status == 4);
    CHECK(r.err.find("COPY") != std::string::npos);
    CHECK_FALSE(image_exists("gsc-" + blocked + "-unsigned"));
  }
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
}
