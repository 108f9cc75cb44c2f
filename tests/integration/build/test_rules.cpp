// gsc build's manifest rules against the real daemon: the original GSC's own test cases, the
// entry point through its links, USER without a passwd file, the count, rebuilding, Gramine's
// manifest check, allow_all_but_log.

#include <catch2/catch.hpp>

#include "integration/run_support.hpp"

using namespace gsc_test;

namespace {

const std::string kOriginal = std::string(GSC_TEST_SOURCE_DIR) + "/tests/fixtures/original/";
const std::string kHello = "\"Hello World! Let's check escaped symbols: < & > \"\n";

// Progress lines may come first; the error is one line, the last one.
void one_line_error(const Run& r) {
  INFO(r.err);
  CHECK(r.status != 0);
  const auto at = r.err.find("gsc: error: ");
  REQUIRE(at != std::string::npos);
  CHECK(r.err.find('\n', at) == r.err.size() - 1);
}

}  // namespace

TEST_CASE("the original's generic.manifest and hello-world: its self-listed manifest is left out, it runs",
          "[build][original]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/orig-hello");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, slurp(kOriginal + "debian12-hello-world.dockerfile"));
  const std::string config = write_config(dir);

  const Run build = gsc({"build", "-c", config, app, kOriginal + "generic.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  CHECK_THAT(build.err, Catch::Contains("`file:/gramine/app_files/entrypoint.manifest` in sgx.trusted_files, "
                                        "which gsc leaves out: gsc writes it after hashing"));
  const std::string image = "gsc-" + app + "-unsigned";
  const std::string manifest = manifest_of(image);
  CHECK(has_line(manifest, "sgx.enclave_size = \"4G\""));
  CHECK(trusted_files_of(manifest).count("/gramine/app_files/entrypoint.manifest") == 0);
  CHECK(has_line(manifest, "libos.entrypoint = \"/usr/bin/echo\""));  // /bin -> usr/bin followed
  if (real_gramine()) CHECK_THAT(build.err, Catch::Contains("gramine-manifest-check: the manifest is valid"));
  else CHECK_THAT(build.err, Catch::Contains("has no gramine-manifest-check: the manifest is not checked"));

  const Run run = run_direct(image);
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == kHello);

  // Its default-manifest variant as well.
  const Run plain = gsc({"build", "--rebuild", "-c", config, app, kOriginal + "debian12-hello-world.manifest"});
  INFO(plain.err);
  REQUIRE(plain.status == 0);
  CHECK(run_direct(image).out == kHello);
}

TEST_CASE("the original's bash case: --insecure-args, then `-c ls`", "[build][original]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/orig-bash");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, slurp(kOriginal + "debian12-bash.dockerfile"));
  const Run build = gsc({"build", "--insecure-args", "-c", write_config(dir), app, kOriginal + "debian12-bash.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const Run run = run_direct("gsc-" + app + "-unsigned", {"-c", "ls /usr"});
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK_THAT(run.out, Catch::Contains("bin\n") && Catch::Contains("lib\n"));
}

TEST_CASE("entry point: a chain of links ends at the real file, argv[0] stays as written, broken ones fail in one line",
          "[build][entrypoint]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/links");
  ImageGuard guard;
  guard.add_app(app);
  // /usr/local/bin/hello -> ../lib/hello/current/run -> (current -> v2) v2/run (a script).
  docker_build(app,
               "FROM gsc-test/debian:12\n"
               "RUN mkdir -p /usr/local/lib/hello/v2 && printf '#!/bin/sh\\necho \"argv0=$0 args=$*\"\\n' "
               "> /usr/local/lib/hello/v2/run && chmod +x /usr/local/lib/hello/v2/run "
               "&& ln -s v2 /usr/local/lib/hello/current && ln -s ../lib/hello/current/run /usr/local/bin/hello\n"
               "CMD [\"hello\", \"a b\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  const Run build = gsc({"build", "-c", config, app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  CHECK_THAT(build.err, Catch::Contains("entry point: /usr/local/bin/hello -> /usr/local/lib/hello/current/run -> "
                                        "/usr/local/lib/hello/v2/run") &&
                            Catch::Contains("entry point: a script run by /bin/sh"));
  const std::string image = "gsc-" + app + "-unsigned";
  // A script starts at the path it was found at (its interpreter gets that as $0).
  CHECK(has_line(manifest_of(image), "libos.entrypoint = \"/usr/local/bin/hello\""));
  // argv is measured with the manifest; gsc's own files are only these (no link, no script).
  CHECK(has_line(manifest_of(image), "loader.argv = [\"hello\", \"a b\"]"));
  CHECK(sh("docker run --rm --entrypoint /bin/ls " + sh_quote(image) + " /gramine/app_files").out ==
        "entrypoint.manifest\nhostname\nhosts\ntrusted_file_sizes\n");
  const Run run = run_direct(image);
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == "argv0=/usr/local/bin/hello args=a b\n");  // a script's $0: the path it was run by, as under Docker

  const std::string broken = unique_name("gsc-test-app/broken-link");
  guard.add_app(broken);
  docker_build(broken, "FROM gsc-test/debian:12\nRUN ln -s /opt/gone/bin/tool /usr/local/bin/tool\nCMD [\"tool\"]\n");
  const Run dangling = gsc({"build", "-c", config, broken, dir / "app.manifest"});
  one_line_error(dangling);
  CHECK(dangling.status == 1);
  CHECK_THAT(dangling.err, Catch::Contains("dangling link: /usr/local/bin/tool -> /opt/gone/bin/tool"));
  CHECK_FALSE(image_exists("gsc-" + broken + "-unsigned"));
}

TEST_CASE("no USER needs no /etc/passwd, a named USER still does", "[build][user]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/nopasswd");
  ImageGuard guard;
  guard.add_app(app);
  // busybox: no /etc/passwd, no bash, no os-release: it builds and runs.
  docker_build(app, "FROM gsc-test/busybox:1\nCMD [\"/bin/echo\", \"hi\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  const Run build = gsc({"build", "-c", config, app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const std::string manifest = manifest_of("gsc-" + app + "-unsigned");
  CHECK(manifest.find("loader.uid") == std::string::npos);
  CHECK(has_line(manifest, "libos.entrypoint = \"/bin/busybox\""));  // echo -> busybox

  const std::string named = unique_name("gsc-test-app/nopasswd-user");
  guard.add_app(named);
  docker_build(named, "FROM gsc-test/busybox:1\nUSER nobody\nCMD [\"/bin/echo\", \"hi\"]\n");
  const Run refused = gsc({"build", "-c", config, named, dir / "app.manifest"});
  one_line_error(refused);
  CHECK_THAT(refused.err, Catch::Contains("USER `nobody` is not in its /etc/passwd"));
}

TEST_CASE("the printed trusted-file count is the manifest's, the user's entries included", "[build][count]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/count");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nRUN mkdir -p /var/app && echo a > /var/app/a && echo b > /var/app/b\n"
                    "CMD [\"/bin/cat\", \"/var/app/a\"]\n");
  // /var is excluded from gsc's walk: the user lists the directory, hashless.
  write_file(dir / "app.manifest", "sgx.trusted_files = [\"file:/var/app/\"]\n");
  const Run build = gsc({"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const auto trusted = trusted_files_of(manifest_of("gsc-" + app + "-unsigned"));
  CHECK(trusted.count("/var/app/a") == 1);
  CHECK(trusted.count("/var/app/b") == 1);
  CHECK_THAT(build.out, Catch::Contains("(" + std::to_string(trusted.size()) + " trusted files)"));
  CHECK_THAT(build.err, Catch::Contains("gsc: " + std::to_string(trusted.size()) + " trusted files, "));
  CHECK(run_direct("gsc-" + app + "-unsigned").out == "a\n");
}

TEST_CASE("gsc-IMAGE exists: nothing is built and the message says how, --rebuild applies a changed manifest",
          "[build][rebuild]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/rebuild");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  const std::string config = write_config(dir);
  write_file(dir / "app.manifest", "sgx.max_threads = 8\n");
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const std::string unsigned_image = "gsc-" + app + "-unsigned";
  REQUIRE(sh("docker tag " + sh_quote(unsigned_image) + " " + sh_quote("gsc-" + app)).status == 0);

  write_file(dir / "app.manifest", "sgx.max_threads = 16\n");
  const Run again = gsc({"build", "-c", config, app, dir / "app.manifest"});
  CHECK(again.status == 0);  // the original's behaviour
  CHECK_THAT(again.out, Catch::Contains("already exists: nothing to build") && Catch::Contains("--rebuild") &&
                            Catch::Contains("gsc sign-image"));
  CHECK(has_line(manifest_of(unsigned_image), "sgx.max_threads = 8"));

  const Run rebuilt = gsc({"build", "--rebuild", "-c", config, app, dir / "app.manifest"});
  INFO(rebuilt.err);
  CHECK(rebuilt.status == 0);
  CHECK(has_line(manifest_of(unsigned_image), "sgx.max_threads = 16"));
}

TEST_CASE("a manifest Gramine rejects fails the build in one line with Gramine's reason", "[build][check]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/rejected");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "bad.manifest", "sgx.enclave_size = 4\n");
  const Run r = gsc({"build", "-c", write_config(dir), app, dir / "bad.manifest"});
  if (real_gramine()) {
    one_line_error(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("Gramine rejects the manifest built from `" + dir / "bad.manifest" + "`") &&
                          Catch::Contains("error in manifest:") && Catch::Contains("enclave_size"));
    CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
  } else {
    // The stand-in Gramine has no gramine-manifest-check: the build goes on and says so.
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.err, Catch::Contains("warning: the Gramine image `gsc-test/gramine-standin:1.9` has no "
                                      "gramine-manifest-check"));
  }
}

TEST_CASE("allow_all_but_log: the argv stays measured (gsc's hosts files trusted), the app runs",
          "[build][policy]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/allowall");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"policy\"]\n");
  write_file(dir / "app.manifest", "sgx.file_check_policy = \"allow_all_but_log\"\n");
  const Run build = gsc({"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const std::string image = "gsc-" + app + "-unsigned";
  const auto trusted = trusted_files_of(manifest_of(image));
  CHECK(trusted.size() == 2);
  CHECK(trusted.count("/gramine/app_files/hosts") == 1);
  CHECK(trusted.count("/gramine/app_files/hostname") == 1);
  CHECK(has_line(manifest_of(image), "loader.argv = [\"/bin/echo\", \"policy\"]"));
  CHECK_THAT(build.out, Catch::Contains("(2 trusted files)"));
  const Run run = run_direct(image);
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == "policy\n");
}
