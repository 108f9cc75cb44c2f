#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

using namespace gsc::manifest;

namespace {

std::vector<std::string> uris(const toml::table& t) {
  std::vector<std::string> out;
  for (const auto& e : *t["sgx"]["trusted_files"].as_array())
    out.push_back(e.is_string() ? e.as_string()->get() : (*e.as_table())["uri"].value_or(std::string()));
  return out;
}

}  // namespace

TEST_CASE("listed_paths: trusted, allowed and protected, strings and tables", "[trusted]") {
  const auto m = parse_manifest(
      "sgx.trusted_files = [\"file:/a\", { uri = \"file:/b\" }, { uri = \"file:/c\", sha256 = \"00\" }, \"file:/dir/\"]\n"
      "sgx.allowed_files = [\"file:/tmp/x\", { uri = \"file:/var/log/\" }]\n"
      "sgx.protected_files = [\"file:/secret\"]\nsgx.other = [\"file:/not\"]\n",
      "m");
  CHECK(listed_paths(m) == std::set<std::string>{"/a", "/b", "/c", "/dir/", "/tmp/x", "/var/log/", "/secret"});
  CHECK(listed_paths(parse_manifest("", "empty")).empty());
}

TEST_CASE("trusted_entries_without_hash and expand_trusted_entries: every file ends up with its hash", "[trusted]") {
  auto m = parse_manifest(
      "sgx.trusted_files = [\"file:/a\", { uri = \"file:/b\" }, { uri = \"file:/c\", sha256 = \"00\" }, \"file:/dir/\","
      " \"dev:tty\"]\nsgx.allowed_files = [\"file:/tmp/x\"]\n",
      "m");
  CHECK(trusted_entries_without_hash(m) == std::vector<std::string>{"/a", "/b", "/dir/"});
  std::vector<std::string> asked;
  expand_trusted_entries(m, [&](const std::string& path) -> std::vector<TrustedEntry> {
    asked.push_back(path);
    if (path == "/dir/") return {{"/dir/1", "d1"}, {"/dir/2", "d2"}, {"/c", "cc"}};
    return {{path, "h" + path}};
  });
  CHECK(asked == std::vector<std::string>{"/a", "/b", "/dir/"});
  CHECK(trusted_entries_without_hash(m).empty());
  // /c keeps the user's hash and is not listed twice; dev:tty is left alone.
  CHECK(uris(m) == std::vector<std::string>{"file:/a", "file:/b", "file:/c", "file:/dir/1", "file:/dir/2", "dev:tty"});
  CHECK(m["sgx"]["trusted_files"][0]["sha256"].value_or(std::string()) == "h/a");
  CHECK(m["sgx"]["trusted_files"][2]["sha256"].value_or(std::string()) == "00");
  CHECK(trusted_files_without_hash(to_toml_string(m)).empty());
  CHECK(trusted_files_without_hash("sgx.trusted_files = [\"file:/x\"]\n") == std::vector<std::string>{"/x"});
}

TEST_CASE("expand_trusted_entries: the resolver's error reaches the caller, nothing to do without a list", "[trusted]") {
  auto m = parse_manifest("sgx.trusted_files = [\"file:/missing\"]\n", "m");
  CHECK_THROWS_WITH(expand_trusted_entries(m, [](const std::string& p) -> std::vector<TrustedEntry> {
                      throw gsc::Error(gsc::ErrorCategory::input, "no " + p);
                    }),
                    "no /missing");
  auto none = parse_manifest("libos.entrypoint = \"/x\"\n", "m");
  expand_trusted_entries(none, [](const std::string&) -> std::vector<TrustedEntry> { FAIL("called"); return {}; });
  CHECK_FALSE(none.contains("sgx"));
}

TEST_CASE("add_trusted_files: appends with hashes, skips what the user lists", "[trusted]") {
  auto m = parse_manifest(
      "sgx.trusted_files = [{ uri = \"file:/usr/bin/app\", sha256 = \"user\" }]\nsgx.allowed_files = [\"file:/etc/app.conf\"]\n"
      "sgx.protected_files = [{ uri = \"file:/data/key\" }]\n",
      "m");
  const auto warnings =
      add_trusted_files(m, {{"/etc/app.conf", "1"}, {"/lib/libc.so.6", "2"}, {"/usr/bin/app", "3"}, {"/data/key", "4"}});
  CHECK(warnings.empty());
  CHECK(uris(m) == std::vector<std::string>{"file:/usr/bin/app", "file:/lib/libc.so.6"});
  CHECK(m["sgx"]["trusted_files"][0]["sha256"].value_or(std::string()) == "user");
  CHECK(m["sgx"]["trusted_files"][1]["sha256"].value_or(std::string()) == "2");
  auto empty = toml::table{};
  add_trusted_files(empty, {{"/x", "aa"}});
  CHECK(to_toml_string(empty) == "sgx.trusted_files = [\n  { uri = \"file:/x\", sha256 = \"aa\" },\n]\n");
}

TEST_CASE("add_trusted_files: allow_all_but_log lists nothing and warns", "[trusted]") {
  auto m = parse_manifest("sgx.file_check_policy = \"allow_all_but_log\"\n", "m");
  CHECK(allows_all_files(m));
  const auto warnings = add_trusted_files(m, {{"/x", "aa"}});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("allow_all_but_log") != std::string::npos);
  CHECK(warnings[0].find("Not for production") != std::string::npos);
  CHECK_FALSE(m["sgx"]["trusted_files"]);
  CHECK_FALSE(allows_all_files(parse_manifest("sgx.file_check_policy = \"strict\"\n", "m")));
}

TEST_CASE("trusted files: wrong types in the user's manifest are input errors", "[trusted]") {
  auto bad_list = parse_manifest("sgx.trusted_files = \"file:/x\"\n", "m");
  CHECK_THROWS_WITH(listed_paths(bad_list), Catch::Contains("`sgx.trusted_files` in the manifest must be an array"));
  CHECK_THROWS_AS(add_trusted_files(bad_list, {{"/y", "1"}}), gsc::Error);
  auto bad_sgx = parse_manifest("sgx = 1\n", "m");
  CHECK_THROWS_WITH(add_trusted_files(bad_sgx, {{"/y", "1"}}), Catch::Contains("`sgx` in the manifest must be a table"));
}

TEST_CASE("drop_entries_for_later_files: the original's generic.manifest entry is left out, with the reason",
          "[trusted]") {
  // The original GSC's test/generic.manifest lists the manifest itself as a trusted file.
  auto m = parse_manifest(
      "sgx.trusted_files = [\n"
      "  \"file:/gramine/app_files/entrypoint.manifest\",\n"
      "  \"file:/gramine/app_files/trusted_argv\",\n"
      "  { uri = \"file:/gramine/app_files/entrypoint.sig\", sha256 = \"00\" },\n"
      "  \"file:/etc/app.conf\",\n"
      "]\n",
      "generic.manifest");
  const auto lines = drop_entries_for_later_files(m);
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains("`file:/gramine/app_files/entrypoint.manifest`") &&
                           Catch::Contains("the enclave measures as a whole") && Catch::Contains("which gsc leaves out"));
  // The original's trusted argv file: gsc measures argv in the manifest (loader.argv).
  CHECK_THAT(lines[1], Catch::Contains("trusted_argv") && Catch::Contains("no such file") && Catch::Contains("loader.argv"));
  CHECK_THAT(lines[2], Catch::Contains("entrypoint.sig") && Catch::Contains("sign-image writes it"));
  CHECK(uris(m) == std::vector<std::string>{"file:/etc/app.conf"});
  CHECK(trusted_entry_count(m) == 1);
  CHECK(trusted_entry_count(parse_manifest("", "empty")) == 0);
  auto none = parse_manifest("sgx.debug = true\n", "m");
  CHECK(drop_entries_for_later_files(none).empty());
}

TEST_CASE("add_own_trusted_files: gsc's trusted argv stays trusted under allow_all_but_log", "[trusted]") {
  auto m = parse_manifest("sgx.file_check_policy = \"allow_all_but_log\"\n", "m");
  add_own_trusted_files(m, {{"/gramine/app_files/trusted_argv", "aa"}, {"/gramine/app_files/hosts", "bb"}});
  CHECK(uris(m) == std::vector<std::string>{"file:/gramine/app_files/trusted_argv", "file:/gramine/app_files/hosts"});
  // Listed by the user already (with their hash): kept once, theirs.
  auto listed = parse_manifest("sgx.trusted_files = [{ uri = \"file:/gramine/app_files/trusted_argv\", sha256 = \"cc\" }]\n", "m");
  add_own_trusted_files(listed, {{"/gramine/app_files/trusted_argv", "aa"}});
  CHECK(to_toml_string(listed) ==
        "sgx.trusted_files = [\n  { uri = \"file:/gramine/app_files/trusted_argv\", sha256 = \"cc\" },\n]\n");
}
