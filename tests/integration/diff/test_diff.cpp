// gsc diff-image against the real daemon: why MRENCLAVE changed between two builds.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

struct Apps {
  TempDir dir;
  std::string base = unique_name("gsc-test-app/diff");
  ImageGuard guard;
  std::string config, key;

  Apps() {
    config = write_config(dir);
    key = dir / "key.pem";
    REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
    write_file(dir / "app.manifest", "");
  }
  // Builds, graminizes and signs an app image made of `dockerfile_tail` on Debian.
  std::string make(const std::string& suffix, const std::string& dockerfile_tail, const std::vector<std::string>& flags = {}) {
    const std::string app = base + "-" + suffix;
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\n" + dockerfile_tail + "CMD [\"/bin/cat\", \"/opt/f\"]\n");
    std::vector<std::string> args{"build", "-c", config};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {app, dir / "app.manifest"});
    const Run b = gsc(args);
    INFO(b.err);
    REQUIRE(b.status == 0);
    const Run s = gsc({"sign-image", "-c", config, "--date", "2026-07-08", app, key});
    INFO(s.err);
    REQUIRE(s.status == 0);
    return "gsc-" + app;
  }
};

}  // namespace

TEST_CASE("diff-image names exactly the changed file and says MRENCLAVE changed", "[diff]") {
  Apps apps;
  const std::string a = apps.make("a", "RUN mkdir -p /opt && echo one > /opt/f\n");
  const std::string b = apps.make("b", "RUN mkdir -p /opt && echo three > /opt/f\n");
  const Run text = gsc({"diff-image", a, b});
  INFO(text.out + text.err);
  CHECK(text.status == 1);
  CHECK(text.out.rfind("MRENCLAVE changed: 0 trusted files added, 0 removed, 1 changed", 0) == 0);
  CHECK(text.out.find("  /opt/f  4 -> 6 bytes  ") != std::string::npos);

  const Run json = gsc({"diff-image", "--format", "json", a, b});
  CHECK(json.status == 1);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["same_measurement"] == false);
  REQUIRE(j["trusted_files"]["changed"].size() == 1);
  CHECK(j["trusted_files"]["changed"][0]["path"] == "/opt/f");
  CHECK(j["trusted_files"]["changed"][0]["old_size"] == 4);
  CHECK(j["trusted_files"]["changed"][0]["new_size"] == 6);
  CHECK(j["trusted_files"]["added"].empty());
  CHECK(j["trusted_files"]["removed"].empty());
  CHECK(j["loader_env"].empty());
  CHECK(j["argv"].empty());
}

TEST_CASE("diff-image: the same build twice is identical, exit 0", "[diff]") {
  Apps apps;
  const std::string a = apps.make("same", "RUN mkdir -p /opt && echo same > /opt/f\n");
  const std::string copy = unique_name("gsc-test-app/diff-copy");
  apps.guard.add(copy);
  REQUIRE(sh("docker tag " + sh_quote(a) + " " + sh_quote(copy)).status == 0);
  REQUIRE(sh("docker rmi " + sh_quote(a)).status == 0);
  const std::string app = a.substr(4);
  REQUIRE(gsc({"build", "--no-cache", "-c", apps.config, app, apps.dir / "app.manifest"}).status == 0);
  REQUIRE(gsc({"sign-image", "-c", apps.config, "--date", "2026-07-08", app, apps.key}).status == 0);
  const Run r = gsc({"diff-image", copy, a});
  INFO(r.out + r.err);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("identical measurement", 0) == 0);
}

TEST_CASE("diff-image reports an ENV change under loader.env and a build type under sgx.debug", "[diff]") {
  Apps apps;
  const std::string a = apps.make("env1", "RUN mkdir -p /opt && echo x > /opt/f\nENV MODE=one\n");
  const std::string b = apps.make("env2", "RUN mkdir -p /opt && echo x > /opt/f\nENV MODE=two\n");
  const Run env = gsc({"diff-image", "--format", "json", a, b});
  const auto j = nlohmann::json::parse(env.out);
  REQUIRE(j["loader_env"].size() == 1);
  CHECK(j["loader_env"][0]["key"] == "loader.env.MODE");
  CHECK(j["trusted_files"]["changed"].empty());

  const std::string debug = apps.make("debug", "RUN mkdir -p /opt && echo x > /opt/f\nENV MODE=one\n", {"-b", "debug"});
  const Run d = gsc({"diff-image", a, debug});
  INFO(d.out);
  CHECK(d.status == 1);
  CHECK(d.out.find("sgx.debug: false -> true") != std::string::npos);
}

TEST_CASE("diff-image errors exit 2", "[diff]") {
  CHECK(gsc({"diff-image", "gsc-test/no-such:0", "gsc-test/debian:12"}).status == 2);
  const Run plain = gsc({"diff-image", "gsc-test/debian:12", "gsc-test/debian:12"});
  CHECK(plain.status == 2);
  CHECK(plain.err.find("not a graminized image") != std::string::npos);
}
