// Ctrl-C: gsc removes what the run created (containers, images, intermediate images) and
// exits 130, whether it was building the stage, hashing or measuring.

#include <catch2/catch.hpp>


#include "integration/support.hpp"

using namespace gsc_test;

namespace {

// Interrupts gsc once one of its own temporary containers exists.
int interrupt_when_working(const std::vector<std::string>& args) {
  return interrupt_when(args, [] { return !sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty(); });
}

}  // namespace

TEST_CASE("Ctrl-C during gsc build and sign-image leaves nothing behind and exits 130", "[interrupt]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/interrupt");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/python3:12\nCMD [\"/usr/bin/python3\", \"-c\", \"print(1)\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  const auto before = all_images();

  // While hashing: the export container exists.
  CHECK(interrupt_when_working({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}) == 130);
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));

  // While measuring: the signer container exists.
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const auto built = all_images();
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
  CHECK(interrupt_when_working({"sign-image", "-c", config, app, key}) == 130);
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
  CHECK(all_images() == built);
  CHECK_FALSE(image_exists("gsc-" + app));
}

TEST_CASE("Ctrl-C while Gramine compiles (build-gramine, and gsc build without Gramine.Image) leaves nothing behind",
          "[interrupt][compile]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  const std::string config = write_compile_config(dir, repo, "slow");  // meson setup sleeps
  const std::string gramine = unique_name("gsc-test-gramine/interrupt");
  const std::string app = unique_name("gsc-test-app/interrupt-compile");
  ImageGuard guard({gramine});
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "app.manifest", "");
  const auto before = all_images();
  const std::string containers = sh("docker ps -aq --no-trunc | sort").out;
  // Interrupted while the daemon's builder runs `meson setup` (which sleeps on branch `slow`).
  auto compiling = [] {
    return sh("docker ps --no-trunc --filter status=running --format '{{.Command}}' | grep -q 'meson setup'").status == 0;
  };

  CHECK(interrupt_when({"build-gramine", "-c", config, gramine}, compiling) == 130);
  CHECK(sh("docker ps -aq --no-trunc | sort").out == containers);
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists(gramine));

  CHECK(interrupt_when({"build", "-c", config, app, dir / "app.manifest"}, compiling) == 130);
  CHECK(sh("docker ps -aq --no-trunc | sort").out == containers);
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
}
