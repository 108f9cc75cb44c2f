#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

using namespace gsc::manifest;

TEST_CASE("merge: first wins, tables merge, arrays concatenate, paths join with ':'", "[merge]") {
  auto first = parse_manifest(
      "loader.env.PATH = \"/opt/bin\"\nloader.env.A = \"1\"\nsgx.debug = true\nfs.mounts = [{ path = \"/a\", uri = \"file:/a\" }]\n",
      "user");
  const auto second = parse_manifest(
      "loader.env.PATH = \"/usr/bin\"\nloader.env.A = \"2\"\nloader.env.B = \"3\"\nsgx.debug = true\n"
      "fs.mounts = [{ path = \"/b\", uri = \"file:/b\" }]\nloader.env.LD_LIBRARY_PATH = \"/lib\"\n",
      "defaults");
  std::vector<std::string> warnings;
  merge_into(first, second, warnings);
  CHECK(first["loader"]["env"]["PATH"].value_or(std::string()) == "/opt/bin:/usr/bin");
  CHECK(first["loader"]["env"]["A"].value_or(std::string()) == "1");
  CHECK(first["loader"]["env"]["B"].value_or(std::string()) == "3");
  CHECK(first["loader"]["env"]["LD_LIBRARY_PATH"].value_or(std::string()) == "/lib");
  CHECK(first["fs"]["mounts"].as_array()->size() == 2);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("`loader.env.A`") != std::string::npos);
}

TEST_CASE("to_toml_string: deterministic, valid, round-trips, escapes anything", "[emit]") {
  auto a = parse_manifest("b = 1\na = { y = \"2\", x = true }\nsgx.trusted_files = []\n", "a");
  a.insert_or_assign("s", std::string("q\"b\\s\n\t\x01 <&>"));
  auto b = parse_manifest("sgx.trusted_files = []\na = { x = true, y = \"2\" }\nb = 1\n", "b");
  b.insert_or_assign("s", std::string("q\"b\\s\n\t\x01 <&>"));
  add_trusted_files(a, {{"/z", "11"}, {"/y", "22"}});
  add_trusted_files(b, {{"/z", "11"}, {"/y", "22"}});
  const std::string text = to_toml_string(a);
  CHECK(text == to_toml_string(b));
  CHECK(text.find("sgx.trusted_files = [\n  { uri = \"file:/z\", sha256 = \"11\" },\n") != std::string::npos);
  const auto again = parse_manifest(text, "again");
  CHECK(again["s"].value_or(std::string()) == "q\"b\\s\n\t\x01 <&>");
  CHECK(to_toml_string(again) == text);
}

TEST_CASE("listed paths and hashless trusted entries", "[trusted]") {
  auto m = parse_manifest(
      "sgx.trusted_files = [\"file:/a\", { uri = \"file:/b\" }, { uri = \"file:/c\", sha256 = \"00\" }, \"file:/dir/\"]\n"
      "sgx.allowed_files = [\"file:/tmp/x\"]\n",
      "m");
  CHECK(listed_paths(m) == std::set<std::string>{"/a", "/b", "/c", "/dir/", "/tmp/x"});
  CHECK(trusted_entries_without_hash(m) == std::vector<std::string>{"/a", "/b", "/dir/"});
  expand_trusted_entries(m, [](const std::string& path) -> std::vector<TrustedEntry> {
    if (path == "/dir/") return {{"/dir/1", "d1"}, {"/dir/2", "d2"}};
    return {{path, "h" + path}};
  });
  CHECK(trusted_entries_without_hash(m).empty());
  CHECK(m["sgx"]["trusted_files"].as_array()->size() == 5);
  CHECK(trusted_files_without_hash(to_toml_string(m)).empty());
}

TEST_CASE("manifest parse errors name file, line and column, and a missing file is an error", "[parse]") {
  CHECK_THROWS_WITH(parse_manifest("a = 1\nb = [unclosed\n", "app.manifest"), Catch::StartsWith("app.manifest:2:"));
  CHECK_THROWS_WITH(load_user_manifest("/nonexistent.manifest"), Catch::Contains("/nonexistent.manifest"));
}

TEST_CASE("allow_all_but_log means no trusted files", "[trusted]") {
  CHECK(allows_all_files(parse_manifest("sgx.file_check_policy = \"allow_all_but_log\"\n", "m")));
  CHECK_FALSE(allows_all_files(parse_manifest("sgx.file_check_policy = \"strict\"\n", "m")));
}
