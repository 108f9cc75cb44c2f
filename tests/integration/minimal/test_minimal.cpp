// Images without a shell (issue #13): FROM scratch with a static busybox, a static C program,
// a distroless-style image (a dynamic program and exactly the libraries ldd lists), a numeric
// USER without /etc/passwd. Each is graminized with `Distro: auto`, run under the direct PAL
// (the real gramine-direct in the real leg) and, signed, on the SGX start-up path: what starts
// the enclave must come from gsc's layers, never from the image.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

bool real_gramine() { return gramine_image() == "gsc-test/gramine:1.9"; }

Run run_image(const std::string& image, const std::string& mode_env) {
  return sh("docker run --rm --security-opt seccomp=unconfined " + (mode_env.empty() ? "" : "-e " + mode_env + " ") +
            sh_quote(image));
}

// The stdout lines of an app run under Gramine (the real one logs warnings on stderr).
std::string app_output(const Run& run) { return run.out; }

std::int64_t image_size(const std::string& image) {
  return std::stoll(sh("docker image inspect -f '{{.Size}}' " + sh_quote(image)).out);
}

// Graminizes `app` with `Distro: auto`, checks it says where the runtime comes from when the
// image has no distro, returns the unsigned image's name.
std::string graminize(const TempDir& dir, const std::string& app, const std::string& manifest = "") {
  write_file(dir / "app.manifest", manifest);
  const Run build = gsc({"build", "-c", write_config(dir, gramine_image(), "auto"), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  CHECK_THAT(build.err, Catch::Contains("has no distro (/etc/os-release)") &&
                            Catch::Contains("come whole from `" + gramine_image() + "`"));
  return "gsc-" + app + "-unsigned";
}

// Signs gsc-APP-unsigned with a fresh key, returns gsc-APP.
std::string sign(const TempDir& dir, const std::string& app) {
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
  const Run signed_run = gsc({"sign-image", "-c", write_config(dir, gramine_image(), "auto"), app, key});
  INFO(signed_run.err);
  REQUIRE(signed_run.status == 0);
  return "gsc-" + app;
}

// Under SGX (the default mode): the stand-in's SGX loader is a dynamic program, started through
// gsc's copy of the dynamic linker, and runs the app; real Gramine's loader starts and stops at
// the missing SGX device (no hardware here), which proves that it and its libraries were found.
void check_sgx_start(const std::string& image, const std::string& expected_output) {
  const Run run = run_image(image, "");
  INFO(run.err);
  if (real_gramine()) {
    CHECK_THAT(run.err, Catch::Contains("/dev/sgx_enclave"));
  } else {
    CHECK(run.status == 0);
    CHECK(run.out == expected_output);
  }
}

}  // namespace

TEST_CASE("FROM scratch with only a static busybox: argv and cwd, direct and SGX start-up", "[minimal]") {
  // gsc-test/busybox:1 holds Debian's busybox-static.
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/scratch-busybox");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app,
               "FROM gsc-test/busybox:1 AS bb\nFROM scratch\nCOPY --from=bb /bin/busybox /busybox\nWORKDIR /work\n"
               // The image's ENV cannot choose the PAL (issue #17, item 4): only `docker run -e`.
               "ENV GRAMINE_MODE=direct GSC_PAL=Linux\n"
               "ENTRYPOINT [\"/busybox\", \"sh\", \"-c\", \"echo \\\"argv0=$0 args=$1,$2 cwd=$PWD\\\"\", \"zero\"]\n"
               "CMD [\"one\", \"two words\"]\n");
  const std::string image = graminize(dir, app);
  CHECK(sh("docker image inspect -f '{{json .Config.Entrypoint}}' " + sh_quote(image)).out.rfind(
            "[\"/gramine/gsc/launch\",", 0) == 0);

  const std::string expected = "argv0=zero args=one,two words cwd=/work\n";
  const Run direct = run_image(image, "GRAMINE_MODE=direct");
  INFO(direct.err);
  CHECK(direct.status == 0);
  CHECK(app_output(direct) == expected);

  // Runtime arguments are ignored (trusted argv), and an unknown mode is one line.
  const Run ignored = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " +
                         sh_quote(image) + " other args");
  CHECK(ignored.out == expected);
  const Run bad_mode = run_image(image, "GRAMINE_MODE=fast");
  CHECK(bad_mode.status != 0);
  CHECK_THAT(bad_mode.err, Catch::Contains("GRAMINE_MODE must be `sgx` or `direct`, not `fast`"));

  // Unsigned, SGX mode (the default, whatever the image's ENV says) says how to proceed.
  const Run unsigned_sgx = run_image(image, "");
  CHECK(unsigned_sgx.status != 0);
  CHECK_THAT(unsigned_sgx.err, Catch::Contains("this image is not signed") && Catch::Contains("gsc sign-image"));

  check_sgx_start(sign(dir, app), expected);

  // Everything gsc adds to a 2 MB image: Gramine's install and what starts it (the stand-in
  // Gramine's programs are not Gramine's size).
  if (!real_gramine()) return;
  const std::int64_t growth = image_size(image) - image_size(app);
  INFO("growth " << growth << " bytes");
  CHECK(growth < 30ll * 1000 * 1000);
}

TEST_CASE("FROM scratch with one static C program built in a builder stage", "[minimal]") {
  const std::string builder = sh("docker images --format '{{.Repository}}:{{.Tag}}' gsc-test/gramine-build-deps").out;
  REQUIRE_FALSE(builder.empty());  // the compile tests' build dependencies: gcc and a static libc
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/scratch-c");
  ImageGuard guard;
  guard.add_app(app);
  // The builder stage as an image of its own, so that removing it removes its steps too.
  const std::string build = unique_name("gsc-test-app/scratch-c-build");
  guard.add(build);
  docker_build(build,
               "FROM " + builder.substr(0, builder.find('\n')) + "\n"
               "COPY hello.c /hello.c\n"
               "RUN gcc -static -O2 -o /hello /hello.c\n",
               {{"hello.c",
                 "#include <stdio.h>\n#include <unistd.h>\n"
                 "int main(int argc, char** argv) {\n"
                 "  char cwd[256];\n"
                 "  printf(\"argc=%d\", argc);\n"
                 "  for (int i = 0; i < argc; ++i) printf(\" [%s]\", argv[i]);\n"
                 "  printf(\" cwd=%s uid=%d\\n\", getcwd(cwd, sizeof cwd) ? cwd : \"?\", (int)getuid());\n"
                 "  return 0;\n}\n"}});
  docker_build(app, "FROM " + build + " AS build\nFROM scratch\nCOPY --from=build /hello /bin/hello\nWORKDIR /data\n"
                    "ENTRYPOINT [\"/bin/hello\", \"first\"]\nCMD [\"second arg\"]\n");
  const std::string image = graminize(dir, app);
  const std::string expected = "argc=3 [/bin/hello] [first] [second arg] cwd=/data uid=0\n";
  const Run direct = run_image(image, "GRAMINE_MODE=direct");
  INFO(direct.err);
  CHECK(direct.status == 0);
  CHECK(app_output(direct) == expected);
  check_sgx_start(sign(dir, app), expected);
}

TEST_CASE("distroless: a dynamic program with exactly the libraries ldd lists, no shell", "[minimal]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/distroless");
  ImageGuard guard;
  guard.add_app(app);
  // /usr/bin/cat of Debian 12, its libraries as ldd lists them (libc, the dynamic linker), and
  // a file to print. No /etc/ld.so.conf, no ld.so.cache, no PATH, no passwd.
  const std::string build = unique_name("gsc-test-app/distroless-build");
  guard.add(build);
  docker_build(build,
               "FROM gsc-test/debian:12\n"
               "RUN mkdir -p /out/usr/bin /out/etc && cp /usr/bin/cat /out/usr/bin/cat "
               "&& for lib in $(ldd /usr/bin/cat | grep -o '/[^ ]*'); do cp -L --parents \"$lib\" /out; done "
               "&& echo 'distroless says hi' > /out/etc/greeting\n");
  docker_build(app, "FROM " + build + " AS build\nFROM scratch\nCOPY --from=build /out/ /\n"
                    "ENTRYPOINT [\"/usr/bin/cat\", \"/etc/greeting\"]\n");
  REQUIRE(sh("docker run --rm --entrypoint /usr/bin/cat " + sh_quote(app) + " /etc/greeting").out ==
          "distroless says hi\n");
  REQUIRE(sh("docker run --rm --entrypoint /bin/sh " + sh_quote(app) + " -c true").status != 0);  // no shell
  const std::string image = graminize(dir, app);
  const Run direct = run_image(image, "GRAMINE_MODE=direct");
  INFO(direct.err);
  CHECK(direct.status == 0);
  CHECK(app_output(direct) == "distroless says hi\n");
  check_sgx_start(sign(dir, app), "distroless says hi\n");
}

TEST_CASE("FROM scratch, numeric USER 1000:1000 without /etc/passwd", "[minimal]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/scratch-user");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/busybox:1 AS bb\nFROM scratch\nCOPY --from=bb /bin/busybox /busybox\nUSER 1000:1000\nENTRYPOINT [\"/busybox\", \"id\"]\n");
  const std::string image = graminize(dir, app);
  CHECK_THAT(sh("docker run --rm --entrypoint /busybox " + sh_quote(image) + " cat /gramine/app_files/entrypoint.manifest").out,
             Catch::Contains("\nloader.uid = 1000\n") && Catch::Contains("\nloader.gid = 1000\n"));
  const Run direct = run_image(image, "GRAMINE_MODE=direct");
  INFO(direct.err);
  CHECK(direct.status == 0);
  CHECK_THAT(app_output(direct), Catch::StartsWith("uid=1000 gid=1000"));
}

TEST_CASE("an entry point that is not in the image is refused in one line, nothing left behind", "[minimal]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/scratch-missing");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/busybox:1 AS bb\nFROM scratch\nCOPY --from=bb /bin/busybox /busybox\nENTRYPOINT [\"/app/server\"]\n");
  write_file(dir / "app.manifest", "");
  const Run build = gsc({"build", "-c", write_config(dir, gramine_image(), "auto"), app, dir / "app.manifest"});
  INFO(build.err);
  CHECK(build.status == 1);
  CHECK_THAT(build.err, Catch::Contains("/app/server"));
  CHECK(std::count(build.err.begin(), build.err.end(), '\n') >= 1);
  CHECK(build.err.find("terminate called") == std::string::npos);
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
}

// For SGX there is no hardware here: this inspects the graminized image and proves that every
// file the SGX start-up path opens or maps is inside /gramine: gsc-launch (static), the SGX
// loader, its ELF interpreter as written in it, and each DT_NEEDED library, found in the
// directory gsc-launch gives the dynamic linker (LD_LIBRARY_PATH=/gramine/gsc/lib), recursively.
TEST_CASE("SGX start-up: every file the loader opens or maps is in /gramine of a scratch image", "[minimal][sgx]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/scratch-startup");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/busybox:1 AS bb\nFROM scratch\nCOPY --from=bb /bin/busybox /busybox\nENTRYPOINT [\"/busybox\", \"true\"]\n");
  const std::string image = graminize(dir, app);
  const std::string out = dir / "gramine";
  const Run created = sh("docker create " + sh_quote(image));
  REQUIRE(created.status == 0);
  const std::string container = created.out.substr(0, created.out.find('\n'));
  const Run copied = sh("docker cp " + container + ":/gramine " + sh_quote(out));
  sh("docker rm " + container);
  REQUIRE(copied.status == 0);

  auto readelf = [&](const std::string& flags, const std::string& path) {
    const Run r = sh("readelf " + flags + " " + sh_quote(path));
    REQUIRE(r.status == 0);
    return r.out;
  };
  // gsc-launch: static, no interpreter.
  CHECK(readelf("-l", out + "/gsc/launch").find("INTERP") == std::string::npos);
  // The PAL directory gsc-launch is given holds the SGX PAL.
  const std::string entrypoint = sh("docker image inspect -f '{{json .Config.Entrypoint}}' " + sh_quote(image)).out;
  std::smatch pal;
  REQUIRE(std::regex_search(entrypoint, pal, std::regex(R"re("--pal-dir","/gramine/([^"]+)")re")));
  CHECK(std::filesystem::is_regular_file(out + "/" + pal[1].str() + "/sgx/libpal.so"));

  // The loader's interpreter is gsc's dynamic linker; every library it needs is in gsc's lib.
  const std::string loader = out + "/gsc/sgx-loader";
  std::smatch interp;
  const std::string headers = readelf("-l", loader);
  REQUIRE(std::regex_search(headers, interp, std::regex(R"(Requesting program interpreter: ([^\]]+)\])")));
  CHECK(interp[1].str() == "/gramine/gsc/ld.so");
  CHECK(std::filesystem::is_regular_file(out + "/gsc/ld.so"));
  // The dynamic linker is loaded already: a library needing it by its soname gets that one.
  std::smatch linker_soname;
  const std::string linker_dynamic = readelf("-d", out + "/gsc/ld.so");
  REQUIRE(std::regex_search(linker_dynamic, linker_soname, std::regex(R"(\(SONAME\)\s+Library soname: \[([^\]]+)\])")));
  std::set<std::string> seen{linker_soname[1].str()};
  std::vector<std::string> pending{loader};
  while (!pending.empty()) {
    const std::string object = pending.back();
    pending.pop_back();
    const std::string dynamic = readelf("-d", object);
    static const std::regex needed(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
    for (auto it = std::sregex_iterator(dynamic.begin(), dynamic.end(), needed); it != std::sregex_iterator(); ++it) {
      const std::string soname = (*it)[1];
      if (!seen.insert(soname).second) continue;
      INFO(object << " needs " << soname);
      const std::string path = out + "/gsc/lib/" + soname;
      CHECK(std::filesystem::is_regular_file(path));
      if (std::filesystem::is_regular_file(path)) pending.push_back(path);
    }
  }
  CHECK(seen.count("libc.so.6") == 1);
}
