// gsc build-gramine, and gsc build without Gramine.Image, against the real daemon. Gramine's
// source is a local git repository whose meson project installs the stand-in Gramine
// (tests/fixtures/make-gramine-repo.sh): the compile path is the real one (git clone,
// checkout of the branch, meson setup/compile/install with Debian's meson and ninja).

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

std::string label(const std::string& image, const std::string& key) {
  Run r = sh("docker image inspect -f '{{ index .Config.Labels \"" + key + "\" }}' " + sh_quote(image));
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

Run run_direct(const std::string& image) {
  return sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + sh_quote(image));
}

const std::string kText = "hello from a compiled Gramine";

}  // namespace

TEST_CASE("build-gramine compiles a local Gramine repository, the result serves build, sign and info",
          "[compile]") {
  TempDir dir;
  make_gramine_repo(dir);
  // A relative Repository is relative to config.yaml's directory.
  const std::string config = write_compile_config(dir, "gramine-src", "gsc-test");
  const std::string gramine = unique_name("gsc-test-gramine/compiled");
  const std::string app = unique_name("gsc-test-app/compiled");
  ImageGuard guard({gramine});
  guard.add_app(app);

  const std::string dangling_before = sh("docker images -aq --no-trunc --filter dangling=true | sort").out;
  const Run built = gsc({"build-gramine", "--config_file", config, gramine});  // the original's long name of -c
  INFO(built.err);
  REQUIRE(built.status == 0);
  CHECK(built.out.find("Successfully built Gramine image " + gramine) != std::string::npos);
  CHECK(built.err.find("gsc: compiling Gramine at commit") != std::string::npos);  // the clone's checkout
  CHECK(label(gramine, "gsc.gramine.commit") == sh("git -C " + sh_quote(dir / "gramine-src") + " rev-parse gsc-test").out.substr(0, 40));
  CHECK(label(gramine, "gsc.linux_pal") == "true");  // always compiled with the direct PAL, as the original
  const Run listing = sh("docker run --rm --entrypoint /bin/sh " + sh_quote(gramine) +
                         " -c 'ls /gramine/meson_build_output/bin; ls /tmp/gramine-source 2>&1'");
  CHECK(listing.out.find("gramine-direct\ngramine-sgx\ngramine-sgx-sign\n") != std::string::npos);
  CHECK(listing.out.find("No such file") != std::string::npos);  // the sent source is gone
  // Only the built commit is in the image: not the repository's other branches, in no layer.
  const std::string broken = sh("git -C " + sh_quote(dir / "gramine-src") + " rev-parse broken").out.substr(0, 40);
  CHECK(sh("docker run --rm --entrypoint git " + sh_quote(gramine) + " -C /gramine cat-file -e " + broken).status != 0);
  CHECK(sh("docker history --no-trunc " + sh_quote(gramine)).out.find("gramine-source") == std::string::npos);
  CHECK(sh("docker images -aq --no-trunc --filter dangling=true | sort").out == dangling_before);  // no stage left
  // Gramine's Python package is importable (gramine-sgx-sign needs it), wherever meson put it.
  const Run python = sh("docker run --rm --entrypoint python3 " + sh_quote(gramine) +
                        " -c 'import graminelibos; print(graminelibos.STANDIN)'");
  INFO(python.err);
  CHECK(python.out == "True\n");

  // The compiled image as Gramine.Image: build, run, sign, info.
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"" + kText + "\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string use = write_config(dir, gramine);
  REQUIRE(gsc({"build", "-c", use, app, dir / "app.manifest"}).status == 0);
  const Run ran = run_direct("gsc-" + app + "-unsigned");
  INFO(ran.err);
  CHECK(ran.out == kText + "\n");
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(dir / "key.pem") + " 3072").status == 0);
  const Run signed_run = gsc({"sign-image", "-c", use, app, dir / "key.pem"});
  INFO(signed_run.err);
  REQUIRE(signed_run.status == 0);
  const Run info = gsc({"info-image", "gsc-" + app});
  REQUIRE(info.status == 0);
  std::smatch m;
  REQUIRE(std::regex_search(info.out, m, std::regex("mr_enclave = \"([0-9a-f]{64})\"")));
  CHECK(signed_run.out.find(m[1].str()) != std::string::npos);
  CHECK(run_direct("gsc-" + app).out == kText + "\n");
  // Whoever enters the container calls Gramine's programs by name, as in the original's images.
  const Run entered = sh("docker run --rm --entrypoint /bin/bash " + sh_quote("gsc-" + app) + " -c 'command -v gramine-direct'");
  CHECK(entered.out == "/gramine/meson_build_output/bin/gramine-direct\n");
}

TEST_CASE("build-gramine -f writes the context and builds nothing, the Dockerfile matches the golden file",
          "[compile][golden]") {
  TempDir dir;

  // The same config as tests/unit/ops/test_compile.cpp renders for Debian 12.
  write_file(dir / "remote.yaml",
             "Distro: \"debian:12\"\nGramine:\n  Repository: \"https://github.com/gramineproject/gramine.git\"\n"
             "  Branch: \"v1.9\"\n");
  const Run r = gsc({"build-gramine", "-c", dir / "remote.yaml", "-f", "--output-dir", dir / "out", "gsc-test-gramine/never"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("nothing built") != std::string::npos);
  CHECK(slurp(dir / "out/Dockerfile") == slurp(std::string(GSC_TEST_SOURCE_DIR) + "/tests/golden/compile-debian-12.Dockerfile"));

  // A local repository travels in the context.
  make_gramine_repo(dir);
  const Run local = gsc({"build-gramine", "-c", write_compile_config(dir, dir / "gramine-src", "gsc-test"),
                         "--file-only", "--output-dir=" + (dir / "local"), "gsc-test-gramine/never"});
  INFO(local.err);
  REQUIRE(local.status == 0);
  CHECK(std::filesystem::is_regular_file(dir / "local/gramine-source/HEAD"));
  CHECK(slurp(dir / "local/Dockerfile").find("COPY gramine-source/ /tmp/gramine-source/") != std::string::npos);

  // Never into a directory holding files already: they would mix with these.
  const Run again = gsc({"build-gramine", "-c", dir / "remote.yaml", "--output-dir", dir / "out", "gsc-test-gramine/never"});
  CHECK(again.status == 1);
  CHECK(again.err.find("exists and is not empty") != std::string::npos);

  // -f is a flag, as the original's --file-only: IMAGE stays the image, the directory is the
  // default one (in the working directory).
  const Run flag = sh("cd " + sh_quote(dir.path().string()) + " && " + sh_quote(GSC_TEST_BINARY_DIR "/bin/gsc") +
                      " build-gramine -f --config_file remote.yaml gsc-test-gramine/never");
  INFO(flag.err);
  REQUIRE(flag.status == 0);
  CHECK(slurp(dir / "gsc-build-gramine/Dockerfile") == slurp(dir / "out/Dockerfile"));

  // Pipelines: one JSON object on stdout.
  const Run json = gsc({"build-gramine", "-c", dir / "remote.yaml", "--format", "json", "--output-dir", dir / "json",
                        "gsc-test-gramine/never"});
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["image"] == "gsc-test-gramine/never");
  CHECK(j["file_only_dir"] == dir / "json");

  CHECK_FALSE(image_exists("gsc-test-gramine/never"));
}

TEST_CASE("gsc build without Gramine.Image compiles Gramine once and reuses it", "[compile]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  const std::string config = write_compile_config(dir, repo, "gsc-test");
  const std::string app = unique_name("gsc-test-app/autocompile");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"" + kText + "\"]\n");
  write_file(dir / "app.manifest", "");

  const std::regex reuse_name("(gsc-gramine-debian-12-release:[0-9a-f]{16})");
  auto compiled_name = [&](const Run& r) {
    std::smatch m;
    REQUIRE(std::regex_search(r.err, m, reuse_name));
    return m[1].str();
  };

  const Run first = gsc({"build", "-L", "-c", config, app, dir / "app.manifest"});
  INFO(first.err);
  REQUIRE(first.status == 0);
  const std::string gramine = compiled_name(first);
  guard.add(gramine);
  CHECK(first.err.find("Compiling Gramine from " + repo + " at gsc-test for debian:12") != std::string::npos);
  const std::string gramine_id = sh("docker image inspect -f '{{.Id}}' " + sh_quote(gramine)).out;
  CHECK(run_direct("gsc-" + app + "-unsigned").out == kText + "\n");

  // Again: the compiled Gramine is reused, nothing is compiled.
  REQUIRE(sh("docker rmi " + sh_quote("gsc-" + app + "-unsigned")).status == 0);
  const Run second = gsc({"build", "-L", "-c", config, app, dir / "app.manifest"});
  INFO(second.err);
  REQUIRE(second.status == 0);
  CHECK(second.err.find("reusing " + gramine) != std::string::npos);
  CHECK(second.err.find("Compiling Gramine") == std::string::npos);
  CHECK(sh("docker image inspect -f '{{.Id}}' " + sh_quote(gramine)).out == gramine_id);

  // A new commit on the branch is another Gramine: compiled under another name.
  REQUIRE(sh("cd " + sh_quote(repo) + " && echo change >> files/README && git -c user.name=t -c user.email=t@t "
             "commit -qam change").status == 0);
  REQUIRE(sh("docker rmi " + sh_quote("gsc-" + app + "-unsigned")).status == 0);
  const Run third = gsc({"build", "-L", "-c", config, app, dir / "app.manifest"});
  INFO(third.err);
  REQUIRE(third.status == 0);
  const std::string recompiled = compiled_name(third);
  guard.add(recompiled);
  CHECK(recompiled != gramine);
  CHECK(third.err.find("Compiling Gramine") != std::string::npos);
}

TEST_CASE("a local repository's second compile comes from the build cache, though its source stage is removed",
          "[compile][cache]") {
  TempDir dir;
  const std::string config = write_compile_config(dir, make_gramine_repo(dir), "gsc-test");
  const std::string first = unique_name("gsc-test-gramine/cache-a");
  const std::string second = unique_name("gsc-test-gramine/cache-b");
  ImageGuard guard({first, second});
  REQUIRE(gsc({"build-gramine", "-c", config, first}).status == 0);
  const Run again = gsc({"build-gramine", "-c", config, second});
  INFO(again.err);
  REQUIRE(again.status == 0);
  const auto meson = again.err.find("meson setup build/");
  REQUIRE(meson != std::string::npos);
  CHECK(again.err.compare(again.err.find("--->", meson), 16, "---> Using cache") == 0);
  CHECK(sh("docker image inspect -f '{{.Id}}' " + sh_quote(first)).out ==
        sh("docker image inspect -f '{{.Id}}' " + sh_quote(second)).out);
}

TEST_CASE("build-gramine takes a tag or an abbreviated commit as Gramine.Branch", "[compile]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  REQUIRE(sh("git -C " + sh_quote(repo) + " tag v1.9-test gsc-test").status == 0);
  const std::string commit = sh("git -C " + sh_quote(repo) + " rev-parse gsc-test").out.substr(0, 40);
  for (const std::string& branch : {std::string("v1.9-test"), commit.substr(0, 10)}) {
    const std::string gramine = unique_name("gsc-test-gramine/ref");
    ImageGuard guard({gramine});
    const Run r = gsc({"build-gramine", "-c", write_compile_config(dir, repo, branch), gramine});
    INFO(branch << "\n" << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("gsc: compiling Gramine at commit " + commit) != std::string::npos);
  }
}

TEST_CASE("build-gramine refusals and bad inputs: one line, non-zero exit, nothing left behind", "[compile][errors]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  const std::string target = unique_name("gsc-test-gramine/bad");
  const auto before = all_images();

  SECTION("Gramine.Image set") {
    const Run r = gsc({"build-gramine", "-c", write_config(dir, "gsc-test/gramine-standin:1.9"), target});
    expect_one_line_error(r, 1);
    CHECK(r.err.find("`Gramine.Image` is set") != std::string::npos);
  }
  SECTION("an image name docker cannot take") {
    const Run r = gsc({"build-gramine", "-c", write_compile_config(dir, repo, "gsc-test"), "Bad:Name:x"});
    expect_one_line_error(r, 2);
    CHECK(r.err.find("`Bad:Name:x` is not a valid image name") != std::string::npos);
  }
  SECTION("Distro auto") {
    write_file(dir / "auto.yaml", "Distro: \"auto\"\nGramine:\n  Repository: \"" + repo + "\"\n  Branch: \"gsc-test\"\n");
    const Run r = gsc({"build-gramine", "-c", dir / "auto.yaml", target});
    expect_one_line_error(r, 1);
    CHECK(r.err.find("`Distro` is `auto`") != std::string::npos);
  }
  SECTION("a repository that does not exist") {
    const Run r = gsc({"build-gramine", "-c", write_compile_config(dir, dir / "missing", "gsc-test"), target});
    expect_one_line_error(r, 1);
    CHECK(r.err.find("not a git URL, and there is no directory") != std::string::npos);
  }
  SECTION("a branch the repository does not have") {
    const Run r = gsc({"build-gramine", "-c", write_compile_config(dir, repo, "no-such-branch"), target});
    expect_one_line_error(r, 1);
    CHECK(r.err.find("`Gramine.Branch` `no-such-branch`") != std::string::npos);
  }
  SECTION("a branch that does not compile: the failing step and meson's output, exit 4") {
    const Run r = gsc({"build-gramine", "-c", write_compile_config(dir, repo, "broken"), target});
    expect_one_line_error(r, 4);
    CHECK(r.err.find("meson setup") != std::string::npos);
    CHECK(r.err.find("gsc-test: this branch does not build") != std::string::npos);
  }
  SECTION("gsc build -L with a Gramine an older gsc compiled without the direct PAL") {
    ImageGuard guard({target});
    docker_build(target, "FROM " + gramine_image() + "\nLABEL gsc.tool=gsc gsc.linux_pal=false\n");
    const std::string app = unique_name("gsc-test-app/nodirect");
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
    write_file(dir / "app.manifest", "");
    const Run r = gsc({"build", "-L", "-c", write_config(dir, target), app, dir / "app.manifest"});
    expect_one_line_error(r, 1);
    CHECK(r.err.find("compiled without it. Compile it again with `gsc build-gramine`") != std::string::npos);
  }
  SECTION("gsc build without Gramine.Image, on a branch that does not compile") {
    const std::string app = unique_name("gsc-test-app/brokencompile");
    ImageGuard guard;
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
    write_file(dir / "app.manifest", "");
    const auto with_app = all_images();
    const Run r = gsc({"build", "-c", write_compile_config(dir, repo, "broken"), app, dir / "app.manifest"});
    expect_one_line_error(r, 4);
    CHECK(all_images() == with_app);
  }  // the guard removes the app image here
  CHECK_FALSE(image_exists(target));
  CHECK(all_images() == before);
}
