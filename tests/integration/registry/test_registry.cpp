// Private registries, for real: a registry on 127.0.0.1 (Debian's docker-registry) with TLS
// (a test CA the daemon trusts) and basic auth. Images are pushed there and removed locally;
// gsc then graminizes from it with the docker CLI's credentials (DOCKER_CONFIG): the app image
// and a missing Gramine.Image are pulled (X-Registry-Auth), and a compile's FROM
// Registry/Distro is pulled by the daemon during the build (X-Registry-Config).

#include <catch2/catch.hpp>

#include "integration/servers.hpp"
#include "integration/support.hpp"

using namespace gsc_test;

namespace {

const std::string kText = "hello from a private registry";

// An app image that only the registry has: built, pushed, removed locally.
std::string push_app(const TestRegistry& registry, ImageGuard& guard) {
  const std::string local = unique_name("gsc-test-app/registry");
  guard.add(local);
  docker_build(local, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"" + kText + "\"]\n");
  const std::string name = local;  // same repository path in the registry
  registry.push(local, name);
  REQUIRE(sh("docker rmi " + sh_quote(local)).status == 0);
  const std::string remote = registry.host() + "/" + name;
  guard.add_app(remote);
  REQUIRE_FALSE(image_exists(remote));
  return remote;
}

}  // namespace

TEST_CASE("gsc build pulls an app image that only a private registry has, with the docker CLI's credentials",
          "[registry]") {
  TestRegistry registry;
  TempDir dir;
  ImageGuard guard;
  const std::string app = push_app(registry, guard);
  write_file(dir / "app.manifest", "");

  const Run r = gsc_with(registry.env(), {"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("Pulling " + app + " (the daemon does not have it) from " + registry.host()) != std::string::npos);
  CHECK(r.err.find("Status: Downloaded newer image for " + app) != std::string::npos);  // the pull's progress
  CHECK(image_exists("gsc-" + app + "-unsigned"));
  const Run ran = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " +
                     sh_quote("gsc-" + app + "-unsigned"));
  INFO(ran.err);
  CHECK(ran.out == kText + "\n");
}

TEST_CASE("a Gramine.Image the daemon does not have is pulled from the registry, not refused", "[registry]") {
  TestRegistry registry;
  TempDir dir;
  ImageGuard guard;
  const std::string gramine_name = unique_name("gsc-test-gramine/pulled") + ":1.9";
  registry.push(gramine_image(), gramine_name);
  const std::string gramine = registry.host() + "/" + gramine_name;
  guard.add(gramine);
  const std::string app = unique_name("gsc-test-app/pulled-gramine");
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"" + kText + "\"]\n");
  write_file(dir / "app.manifest", "");

  const Run r = gsc_with(registry.env(), {"build", "-c", write_config(dir, gramine), app, dir / "app.manifest"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("Pulling " + gramine) != std::string::npos);
  CHECK(image_exists(gramine));
  const Run ran = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " +
                     sh_quote("gsc-" + app + "-unsigned"));
  CHECK(ran.out == kText + "\n");
}

TEST_CASE("build-gramine: the daemon pulls Registry/Distro with the credentials gsc sends", "[registry][compile]") {
  TestRegistry registry;
  TempDir dir;
  ImageGuard guard;
  const std::string prefix = unique_name("gsc-test-mirror/base");
  registry.push("gsc-test/debian:12", prefix + "/debian:12");
  guard.add(registry.host() + "/" + prefix + "/debian:12");
  const std::string repo = make_gramine_repo(dir);
  write_file(dir / "config.yaml", "Distro: \"debian:12\"\nRegistry: \"" + registry.host() + "/" + prefix +
                                      "\"\nGramine:\n  Repository: \"" + repo + "\"\n  Branch: \"gsc-test\"\n");
  const std::string gramine = unique_name("gsc-test-gramine/from-registry");
  guard.add(gramine);

  SECTION("with the credentials: compiled") {
    const Run r = gsc_with(registry.env(), {"build-gramine", "-c", dir / "config.yaml", gramine});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("FROM " + registry.host() + "/" + prefix + "/debian:12") != std::string::npos);
    CHECK(image_exists(gramine));
  }
  SECTION("without them: the daemon's refusal, the failing step, exit 4") {
    TempDir nobody;
    const Run r = gsc_with("DOCKER_CONFIG=" + sh_quote(nobody.path().string()) + " ",
                           {"build-gramine", "-c", dir / "config.yaml", gramine});
    INFO(r.err);
    CHECK(r.status == 4);
    CHECK(r.err.find("gsc: error: docker build failed at `FROM " + registry.host()) != std::string::npos);
    CHECK(r.err.find("gsc sent no credentials for `" + registry.host() + "`: log in with `docker login " +
                     registry.host() + "`") != std::string::npos);
    CHECK_FALSE(image_exists(gramine));
  }
}

TEST_CASE("registry credentials: wrong or missing ones give one line that names the registry and the fix",
          "[registry][errors]") {
  TestRegistry registry;
  TempDir dir;
  ImageGuard guard;
  const std::string app = push_app(registry, guard);
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);

  TempDir wrong;
  registry.write_docker_config(wrong, TestRegistry::user, "not-the-password");
  TempDir none;
  for (const auto& [what, config_dir] : {std::pair{"wrong password", &wrong}, std::pair{"no login", &none}}) {
    INFO(what);
    const Run r = gsc_with("DOCKER_CONFIG=" + sh_quote(config_dir->path().string()) + " ",
                           {"build", "-c", config, app, dir / "app.manifest"});
    INFO(r.err);
    expect_one_line_error(r, 1);
    CHECK(r.err.find("Cannot find image `" + app + "`, and pulling it from `" + registry.host() + "`") !=
          std::string::npos);
    CHECK(r.err.find(config_dir == &wrong ? std::string(" as `") + TestRegistry::user + "` failed: "
                                          : std::string(" without credentials failed: ")) != std::string::npos);
    CHECK(r.err.find("Log in with `docker login " + registry.host() + "`") != std::string::npos);
    CHECK_FALSE(image_exists(app));
    CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
  }
}

TEST_CASE("credHelpers and credsStore: gsc asks docker-credential-<name> as the docker CLI does", "[registry]") {
  TestRegistry registry;
  TempDir dir;
  ImageGuard guard;
  const std::string app = push_app(registry, guard);
  write_file(dir / "app.manifest", "");

  // A helper that knows this registry only, and records what it was asked.
  TempDir bin;
  write_file(bin / "docker-credential-gsctest",
             "#!/bin/sh\nread server\necho \"$1 $server\" >> " + sh_quote(bin / "asked") +
                 "\nif [ \"$server\" = " + sh_quote(registry.host()) + " ]; then\n"
                 "  printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' \"$server\" " +
                 sh_quote(TestRegistry::user) + " " + sh_quote(TestRegistry::password) +
                 "\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n");
  REQUIRE(sh("chmod +x " + sh_quote(bin / "docker-credential-gsctest")).status == 0);
  TempDir config_dir;
  write_file(config_dir / "config.json", "{\"auths\":{},\"credHelpers\":{\"" + registry.host() + "\":\"gsctest\"}}");
  const std::string env = "PATH=" + sh_quote(bin.path().string()) + ":\"$PATH\" DOCKER_CONFIG=" +
                          sh_quote(config_dir.path().string()) + " ";
  const Run r = gsc_with(env, {"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(slurp(bin / "asked").find("get " + registry.host() + "\n") != std::string::npos);

  // A credsStore that is not installed: one line naming it.
  write_file(config_dir / "config.json", "{\"credsStore\":\"gsc-missing-helper\"}");
  REQUIRE(sh("docker rmi " + sh_quote("gsc-" + app + "-unsigned") + " " + sh_quote(app)).status == 0);
  const Run missing = gsc_with(env, {"build", "-c", write_config(dir), app, dir / "app.manifest"});
  expect_one_line_error(missing, 1);
  CHECK(missing.err.find("`docker-credential-gsc-missing-helper` cannot be run") != std::string::npos);
}
