// gsc's scan cache: a rebuild whose stage image did not change skips the export and hashing,
// and gives the bytes a cold build gives; a changed app image is never served stale hashes.

#include <catch2/catch.hpp>

#include <filesystem>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

// gsc with its scan cache in `cache`.
Run gsc_cached(const std::string& cache, const std::vector<std::string>& args) {
  std::string cmd = "GSC_CACHE_DIR=" + sh_quote(cache) + " " + sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc"));
  for (const auto& a : args) cmd += " " + sh_quote(a);
  return sh(cmd);
}

std::string manifest_of(const std::string& image) {
  return sh("docker run --rm --entrypoint /bin/cat " + sh_quote(image) + " /gramine/app_files/entrypoint.manifest").out;
}

const char* kHit = "unchanged since it was scanned (cache)";

}  // namespace

TEST_CASE("warm rebuild: a changed manifest reuses the hashes, and equals a cold build byte for byte", "[cache]") {
  TempDir dir;
  const std::string cache = dir / "cache";
  const std::string app = unique_name("gsc-test-app/warm");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nRUN echo one > /opt/data.txt\nCMD [\"/bin/cat\", \"/opt/data.txt\"]\n");
  const std::string config = write_config(dir);
  write_file(dir / "a.manifest", "sgx.max_threads = 4\n");
  write_file(dir / "b.manifest", "sgx.max_threads = 8\n");

  const Run cold = gsc_cached(cache, {"build", "-c", config, app, dir / "a.manifest"});
  INFO(cold.err);
  REQUIRE(cold.status == 0);
  CHECK(cold.err.find(kHit) == std::string::npos);
  const std::string first = manifest_of("gsc-" + app + "-unsigned");
  REQUIRE(first.find("max_threads = 4") != std::string::npos);

  const Run tuned = gsc_cached(cache, {"build", "-c", config, app, dir / "b.manifest"});
  INFO(tuned.err);
  REQUIRE(tuned.status == 0);
  CHECK(tuned.err.find(kHit) != std::string::npos);
  CHECK(manifest_of("gsc-" + app + "-unsigned").find("max_threads = 8") != std::string::npos);

  const Run back = gsc_cached(cache, {"build", "-c", config, app, dir / "a.manifest"});
  REQUIRE(back.status == 0);
  CHECK(back.err.find(kHit) != std::string::npos);
  CHECK(manifest_of("gsc-" + app + "-unsigned") == first);

  // --no-cache: neither Docker's cache nor gsc's, and still the same bytes.
  const Run nocache = gsc_cached(cache, {"build", "--no-cache", "-c", config, app, dir / "a.manifest"});
  REQUIRE(nocache.status == 0);
  CHECK(nocache.err.find(kHit) == std::string::npos);
  CHECK(nocache.err.find("Using cache") == std::string::npos);
  CHECK(manifest_of("gsc-" + app + "-unsigned") == first);
}

TEST_CASE("warm rebuild: one changed file in the app image is seen, a damaged cache is not used", "[cache]") {
  TempDir dir;
  const std::string cache = dir / "cache";
  const std::string app = unique_name("gsc-test-app/stale");
  ImageGuard replaced;  // removed after `guard`: the app image the rebuild replaced
  ImageGuard guard;
  guard.add_app(app);
  const std::string config = write_config(dir);
  write_file(dir / "app.manifest", "");
  docker_build(app, "FROM gsc-test/debian:12\nRUN echo one > /opt/data.txt\nCMD [\"/bin/cat\", \"/opt/data.txt\"]\n");
  REQUIRE(gsc_cached(cache, {"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const std::string one = manifest_of("gsc-" + app + "-unsigned");

  // The same tag, one file different.
  replaced.add(sh("docker image inspect -f '{{.Id}}' " + sh_quote(app)).out.substr(0, 71));
  docker_build(app, "FROM gsc-test/debian:12\nRUN echo two > /opt/data.txt\nCMD [\"/bin/cat\", \"/opt/data.txt\"]\n");
  const Run rebuilt = gsc_cached(cache, {"build", "-c", config, app, dir / "app.manifest"});
  INFO(rebuilt.err);
  REQUIRE(rebuilt.status == 0);
  CHECK(rebuilt.err.find(kHit) == std::string::npos);
  const std::string two = manifest_of("gsc-" + app + "-unsigned");
  const std::string sha_two = sh("echo two | sha256sum | cut -c1-64").out.substr(0, 64);
  CHECK(two.find("{ uri = \"file:/opt/data.txt\", sha256 = \"" + sha_two + "\" }") != std::string::npos);
  CHECK(one != two);

  // Every entry damaged: the build hashes again and still gives the right bytes.
  for (const auto& e : std::filesystem::directory_iterator(cache + "/scans")) {
    const std::string bytes = slurp(e.path());
    write_file(e.path(), bytes.substr(0, bytes.size() / 2));
  }
  const Run damaged = gsc_cached(cache, {"build", "-c", config, app, dir / "app.manifest"});
  REQUIRE(damaged.status == 0);
  CHECK(damaged.err.find(kHit) == std::string::npos);
  CHECK(manifest_of("gsc-" + app + "-unsigned") == two);
}
