#include <catch2/catch.hpp>

#include "gsc/config.hpp"
#include "gsc/error.hpp"

using gsc::parse_config;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "config.yaml");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    return e.what();
  }
  FAIL("accepted: " << yaml);
  return "";
}

}  // namespace

TEST_CASE("config: the original's keys", "[config]") {
  const auto c = parse_config(
      "Distro: \"debian:12\"\nRegistry: \"r.example\"\nGramine:\n  Image: \"g:1\"\n"
      "SGXDriver:\n  Repository: \"\"\n  Branch: \"\"\n",
      "config.yaml");
  CHECK(c.distro == "debian:12");
  CHECK(c.registry == "r.example");
  CHECK(c.gramine.image == "g:1");
  const auto src = parse_config("Gramine:\n  Repository: \"https://x/gramine.git\"\n  Branch: \"v1.9\"\n", "c");
  CHECK(src.distro == "auto");
  CHECK(src.gramine.repository == "https://x/gramine.git");
  CHECK(src.gramine.branch == "v1.9");
}

TEST_CASE("config: errors name the line and the fix", "[config]") {
  CHECK(error_of("Distro: auto\nGramine:\n  Imagee: x\n").find("config.yaml:3: unknown key `Gramine.Imagee`") == 0);
  CHECK(error_of("Distro: auto\nGramin:\n  Image: x\n").find("config.yaml:2: unknown key `Gramin`") == 0);
  CHECK(error_of("Distro: auto\n").find("`Gramine` is missing") != std::string::npos);
  CHECK(error_of("Gramine:\n  Branch: v1\n").find("`Gramine.Repository` is missing. Provide this or `Gramine.Image`.") !=
        std::string::npos);
  CHECK(error_of("Gramine:\n  Repository: r\n").find("`Gramine.Branch` is missing") != std::string::npos);
  CHECK(error_of("Distro: [a, b]\nGramine:\n  Image: x\n").find("`Distro` must be a string") != std::string::npos);
  CHECK(error_of("Gramine: {Image: x\n").find("config.yaml:") == 0);
  CHECK(error_of("Gramine: {Image: x\n").find("malformed YAML") != std::string::npos);
}

TEST_CASE("load_config: a missing file says how to make one", "[config]") {
  try {
    gsc::load_config("/nonexistent/config.yaml");
    FAIL("loaded");
  } catch (const gsc::Error& e) {
    CHECK(std::string(e.what()).find("cp config.yaml.template config.yaml") != std::string::npos);
  }
}
