// Machine-readable results: --format json parses and agrees with the text output; -q prints
// only the image id; progress goes to stderr, results to stdout.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/support.hpp"

using namespace gsc_test;

TEST_CASE("build and sign-image: --format json agrees with the text, -q prints only the id", "[output]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/json");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"json\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);

  const Run text = gsc({"build", "-c", config, app, dir / "app.manifest"});
  REQUIRE(text.status == 0);
  const Run json = gsc({"build", "--no-cache", "--format", "json", "-c", config, app, dir / "app.manifest"});
  INFO(json.err);
  REQUIRE(json.status == 0);
  const auto b = nlohmann::json::parse(json.out);  // stdout holds only the result
  CHECK(b["image"] == "gsc-" + app + "-unsigned");
  CHECK(b["image_id"] == sh("docker image inspect -f '{{.Id}}' " + sh_quote("gsc-" + app + "-unsigned")).out.substr(0, 71));
  CHECK(b["gramine_image"] == gramine_image());
  CHECK(b["argv"] == std::vector<std::string>{"/bin/echo", "json"});
  CHECK(b["entrypoint"] == "/usr/bin/echo");  // /bin -> usr/bin followed
  CHECK(b["entrypoint_chain"] == std::vector<std::string>{"/bin/echo", "/usr/bin/echo"});
  CHECK(b["runtime"] == "");
  bool sigterm = false;
  for (const auto& s : b["settings"]) sigterm |= s["key"] == "sys.enable_sigterm_injection" && s["value"] == "true";
  CHECK(sigterm);
  REQUIRE(b["places"].size() >= 3);
  CHECK(b["places"][0]["path"] == "/tmp");
  CHECK(b["places"][0]["access"] == "tmpfs");
  CHECK(b["places"][0]["source"] == "gsc");
  CHECK(b["manifest_check"].get<std::string>() ==
        (gramine_image() == "gsc-test/gramine:1.9" ? "valid"
                                                    : "the Gramine image `gsc-test/gramine-standin:1.9` has no "
                                                      "gramine-manifest-check: the manifest is not checked by Gramine"));
  CHECK(b["timings_s"].contains("analysis"));
  CHECK(b["timings_s"].contains("manifest_check"));
  CHECK(text.out.find("(" + std::to_string(b["trusted_files"].get<int>()) + " trusted files)") != std::string::npos);
  CHECK(b["bytes_hashed"].get<double>() > 1e8);
  CHECK(b["timings_s"].contains("export_and_hash"));
  CHECK(json.err.find("Hashing the image's files") != std::string::npos);  // progress on stderr

  const Run quiet = gsc({"build", "-q", "-c", config, app, dir / "app.manifest"});
  CHECK(quiet.out == b["image_id"].get<std::string>() + "\n");
  CHECK(quiet.err.empty());

  const Run sign = gsc({"sign-image", "--format", "json", "-c", config, app, key});
  INFO(sign.err);
  REQUIRE(sign.status == 0);
  const auto s = nlohmann::json::parse(sign.out);
  const Run info = gsc({"info-image", "--format", "json", "gsc-" + app});
  const auto i = nlohmann::json::parse(info.out);
  CHECK(s["mr_enclave"] == i["mr_enclave"]);
  CHECK(s["mr_signer"] == i["mr_signer"]);
  CHECK(s["image"] == "gsc-" + app);
  const Run info_text = gsc({"info-image", "gsc-" + app});
  CHECK(info_text.out.find("mr_enclave = \"" + i["mr_enclave"].get<std::string>() + "\"") != std::string::npos);
}
