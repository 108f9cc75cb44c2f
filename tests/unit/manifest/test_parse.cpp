#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

using namespace gsc::manifest;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.what();
  }
  FAIL("no error");
  return "";
}

}  // namespace

TEST_CASE("parse_manifest: errors name file, line and column", "[parse]") {
  CHECK_THAT(error_of([] { parse_manifest("a = 1\nb = [unclosed\n", "app.manifest"); }),
             Catch::StartsWith("app.manifest:2:") && Catch::Contains("malformed manifest"));
  CHECK_THAT(error_of([] { parse_manifest("a = 1\na = 2\n", "app.manifest"); }), Catch::StartsWith("app.manifest:2:5: "));
  CHECK_THAT(error_of([] { parse_manifest("x = \"\xff\"\n", "m"); }), Catch::StartsWith("m:1:"));
}

TEST_CASE("load_user_manifest: a missing file or a directory is an error, never an empty manifest", "[parse]") {
  CHECK_THAT(error_of([] { load_user_manifest("/nonexistent.manifest"); }),
             Catch::Contains("`/nonexistent.manifest`") && Catch::Contains("Check the path"));
  CHECK_THAT(error_of([] { load_user_manifest("/tmp"); }), Catch::Contains("is a directory"));
}

TEST_CASE("load_user_manifest: reads the file, errors use its path", "[parse]") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto good = dir / "gsc-unit-good.manifest";
  const auto empty = dir / "gsc-unit-empty.manifest";
  const auto bad = dir / "gsc-unit-bad.manifest";
  std::ofstream(good) << "sgx.enclave_size = \"1G\"\n[loader.env]\nA = \"1\"\n";
  std::ofstream(empty) << "";
  std::ofstream(bad) << "sgx.enclave_size = \"1G\"\n\nloader.env.A = \n";
  const auto t = load_user_manifest(good.string());
  CHECK(t["loader"]["env"]["A"].value_or(std::string()) == "1");
  CHECK(load_user_manifest(empty.string()).empty());
  const std::string e = error_of([&] { load_user_manifest(bad.string()); });
  std::filesystem::remove(good);
  std::filesystem::remove(empty);
  std::filesystem::remove(bad);
  CHECK_THAT(e, Catch::StartsWith(bad.string() + ":3:"));
}
