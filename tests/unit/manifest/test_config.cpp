#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "gsc/config.hpp"
#include "gsc/error.hpp"

using gsc::parse_config;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "config.yaml");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.what();
  }
  FAIL("accepted: " << yaml);
  return "";
}

std::string load_error(const std::string& path) {
  try {
    gsc::load_config(path);
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    return e.what();
  }
  FAIL("loaded: " << path);
  return "";
}

}  // namespace

TEST_CASE("parse_config: the original's keys", "[config]") {
  const auto c = parse_config(
      "Distro: \"debian:12\"\nRegistry: \"r.example\"\nGramine:\n  Image: \"g:1\"\n"
      "SGXDriver:\n  Repository: \"https://x/driver.git\"\n  Branch: \"sgx_driver_2.11\"\n",
      "config.yaml");
  CHECK(c.distro == "debian:12");
  CHECK(c.registry == "r.example");
  CHECK(c.gramine.image == "g:1");
  CHECK(c.sgx_driver.repository == "https://x/driver.git");
  CHECK(c.sgx_driver.branch == "sgx_driver_2.11");
  const auto src = parse_config("Gramine:\n  Repository: \"https://x/gramine.git\"\n  Branch: \"v1.9\"\n", "c");
  CHECK(src.distro == "auto");
  CHECK(src.registry.empty());
  CHECK(src.gramine.image.empty());
  CHECK(src.gramine.repository == "https://x/gramine.git");
  CHECK(src.gramine.branch == "v1.9");
  CHECK(src.sgx_driver.repository.empty());
}

TEST_CASE("parse_config: every supported distro name and auto", "[config]") {
  for (const char* d : {"auto", "debian:11", "debian:12", "ubuntu:22.04", "ubuntu:24.04", "quay.io/centos/centos:stream9",
                        "redhat/ubi9:9.4", "redhat/ubi9-minimal:9.4", "registry.suse.com/suse/sle15:15.6"}) {
    INFO(d);
    CHECK(parse_config(std::string("Distro: \"") + d + "\"\nGramine:\n  Image: g\n", "c").distro == d);
  }
  CHECK(parse_config("Distro: \"\"\nGramine:\n  Image: g\n", "c").distro == "auto");
}

TEST_CASE("parse_config: unknown keys name the line and list the known ones", "[config]") {
  CHECK(error_of("Distro: auto\n\n\n\n\n\nGramin:\n  Image: x\n").find("config.yaml:7: unknown key `Gramin`. Known keys: "
                                                                        "`Distro`, `Registry`, `Gramine`, `SGXDriver`.") == 0);
  CHECK(error_of("Distro: auto\nGramine:\n  Imagee: x\n").find("config.yaml:3: unknown key `Gramine.Imagee`. Known keys: "
                                                               "`Gramine.Image`, `Gramine.Repository`, `Gramine.Branch`.") == 0);
  CHECK(error_of("Gramine:\n  Image: x\nSGXDriver:\n  Repo: x\n").find("config.yaml:4: unknown key `SGXDriver.Repo`") == 0);
}

TEST_CASE("parse_config: wrong types name the key and the line", "[config]") {
  CHECK(error_of("Distro: [a, b]\nGramine:\n  Image: x\n").find("config.yaml:1: `Distro` must be a string") == 0);
  CHECK(error_of("Gramine: x\n").find("config.yaml:1: `Gramine` must be a mapping") == 0);
  CHECK(error_of("Gramine:\n  Image:\n    - a\n").find("config.yaml:3: `Gramine.Image` must be a string") == 0);
  CHECK(error_of("Gramine:\n  Image: x\nSGXDriver: [1]\n").find("config.yaml:3: `SGXDriver` must be a mapping") == 0);
  CHECK(error_of("- Distro\n- Gramine\n").find("config.yaml:1: expected a mapping") == 0);
  CHECK(error_of("").find("expected a mapping") != std::string::npos);
}

TEST_CASE("parse_config: a missing Gramine source says what to provide", "[config]") {
  CHECK(error_of("Distro: auto\n").find("`Gramine` is missing") != std::string::npos);
  CHECK(error_of("Distro: auto\nGramine:\n").find("`Gramine` is missing") != std::string::npos);
  CHECK(error_of("Gramine:\n  Branch: v1\n").find("config.yaml:2: `Gramine.Repository` is missing. Provide this or "
                                                   "`Gramine.Image`.") == 0);
  CHECK(error_of("Gramine:\n  Repository: r\n").find("`Gramine.Branch` is missing. Provide this or `Gramine.Image`.") !=
        std::string::npos);
}

TEST_CASE("parse_config: an unsupported distro lists the supported ones, with its line", "[config]") {
  const std::string e = error_of("Gramine:\n  Image: x\nDistro: \"fedora:40\"\n");
  CHECK(e.find("config.yaml:3: `Distro: fedora:40` is not supported. Use `auto` or one of `debian:11`") == 0);
  CHECK(e.find("`redhat/ubi9-minimal:9.4`") != std::string::npos);
  CHECK(error_of("Distro: 12\nGramine:\n  Image: x\n").find("config.yaml:1: `Distro: 12` is not supported") == 0);
}

TEST_CASE("parse_config: Registry holds a registry reference, nothing that could break a Dockerfile", "[config]") {
  CHECK_NOTHROW(parse_config("Registry: \"registry.example.com:5000/mirror\"\nGramine:\n  Image: x\n", "c.yaml"));
  CHECK(error_of("Registry: \"x\\nRUN evil\"\nGramine:\n  Image: x\n").find("config.yaml:1: `Registry` may hold only") == 0);
  CHECK(error_of("Registry: \"a b\"\nGramine:\n  Image: x\n").find("`Registry` may hold only") != std::string::npos);
}

TEST_CASE("parse_config: a key set twice is an error", "[config]") {
  CHECK(error_of("Gramine:\n  Image: x\nDistro: auto\nDistro: debian:12\n").find("config.yaml:4: `Distro` is set twice") ==
        0);
}

TEST_CASE("parse_config: malformed YAML gives file, line and column", "[config]") {
  const std::string e = error_of("Distro: auto\nGramine: {Image: x\n");
  CHECK(e.find("config.yaml:") == 0);
  CHECK(e.find("malformed YAML") != std::string::npos);
  const std::string tab = error_of("Gramine:\n  Image: x\n   bad: [\n");
  CHECK(tab.rfind("config.yaml:3:", 0) == 0);
}

TEST_CASE("load_config: a missing file says how to make one", "[config]") {
  const std::string e = load_error("/nonexistent/config.yaml");
  CHECK(e.find("`/nonexistent/config.yaml`") != std::string::npos);
  CHECK(e.find("cp config.yaml.template config.yaml") != std::string::npos);
  CHECK(load_error("/").find("`/`") != std::string::npos);
}

TEST_CASE("load_config: errors use the file's own name", "[config]") {
  const auto path = std::filesystem::temp_directory_path() / "gsc-unit-config-bad.yaml";
  std::ofstream(path) << "Distro: auto\nGramine:\n  Imag: x\n";
  const std::string e = load_error(path.string());
  std::filesystem::remove(path);
  CHECK(e.find(path.string() + ":3: unknown key `Gramine.Imag`") == 0);
}

TEST_CASE("config.yaml.template: parses, Distro auto, Gramine from source, Image commented", "[config]") {
  const std::string path = std::string(GSC_TEST_SOURCE_DIR) + "/config.yaml.template";
  const auto c = gsc::load_config(path);
  CHECK(c.distro == "auto");  // as the original's template
  CHECK(c.gramine.image.empty());
  CHECK(c.gramine.repository == "https://github.com/gramineproject/gramine.git");
  CHECK_FALSE(c.gramine.branch.empty());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("# Image:") != std::string::npos);
}
