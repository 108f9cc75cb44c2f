#include <catch2/catch.hpp>

#include "manifest/manifest.hpp"

using namespace gsc::manifest;

namespace {

std::string str(const toml::table& t, const char* a, const char* b, const char* c) {
  return t[a][b][c].value_or(std::string("<unset>"));
}

}  // namespace

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
  CHECK(str(first, "loader", "env", "PATH") == "/opt/bin:/usr/bin");
  CHECK(str(first, "loader", "env", "A") == "1");
  CHECK(str(first, "loader", "env", "B") == "3");
  CHECK(str(first, "loader", "env", "LD_LIBRARY_PATH") == "/lib");
  CHECK(first["sgx"]["debug"].value_or(false));
  REQUIRE(first["fs"]["mounts"].as_array()->size() == 2);
  CHECK(first["fs"]["mounts"][0]["path"].value_or(std::string()) == "/a");
  CHECK(first["fs"]["mounts"][1]["path"].value_or(std::string()) == "/b");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "`loader.env.A` is set twice: keeping \"1\", ignoring \"2\".");
}

TEST_CASE("merge: LD_LIBRARY_PATH, PATH and LD_PRELOAD join, equal values stay once", "[merge]") {
  const auto a = parse_manifest(
      "loader.env.LD_LIBRARY_PATH = \"/app/lib\"\nloader.env.LD_PRELOAD = \"/a.so\"\nloader.env.PATH = \"/bin\"\n", "a");
  const auto b = parse_manifest(
      "loader.env.LD_LIBRARY_PATH = \"/usr/lib\"\nloader.env.LD_PRELOAD = \"/b.so\"\nloader.env.PATH = \"/bin\"\n", "b");
  const auto m = merge(a, b);
  CHECK(m.warnings.empty());
  CHECK(str(m.table, "loader", "env", "LD_LIBRARY_PATH") == "/app/lib:/usr/lib");
  CHECK(str(m.table, "loader", "env", "LD_PRELOAD") == "/a.so:/b.so");
  CHECK(str(m.table, "loader", "env", "PATH") == "/bin");
  CHECK(str(a, "loader", "env", "LD_LIBRARY_PATH") == "/app/lib");  // inputs untouched
}

TEST_CASE("merge: only loader.env's search lists join", "[merge]") {
  const auto m = merge(parse_manifest("x.PATH = \"/a\"\nloader.PATH = \"/a\"\n", "a"),
                       parse_manifest("x.PATH = \"/b\"\nloader.PATH = \"/b\"\n", "b"));
  CHECK(m.table["x"]["PATH"].value_or(std::string()) == "/a");
  CHECK(m.table["loader"]["PATH"].value_or(std::string()) == "/a");
  CHECK(m.warnings.size() == 2);
}

TEST_CASE("merge: loader.env tables (value, passthrough) stay as they are", "[merge]") {
  const auto user = parse_manifest(
      "loader.env.LD_LIBRARY_PATH = { value = \"/mine\" }\nloader.env.HOME = { passthrough = true }\n", "user");
  const auto rest = parse_manifest("loader.env.LD_LIBRARY_PATH = \"/usr/lib\"\nloader.env.HOME = \"/root\"\n", "rest");
  const auto m = merge(user, rest);
  CHECK(m.table["loader"]["env"]["LD_LIBRARY_PATH"]["value"].value_or(std::string()) == "/mine");
  CHECK(m.table["loader"]["env"]["HOME"]["passthrough"].value_or(false));
  REQUIRE(m.warnings.size() == 2);
  CHECK(m.warnings[0].find("`loader.env.HOME` is set twice: keeping { passthrough = true }") == 0);
}

TEST_CASE("merge: a conflict of types keeps the first, equal arrays still concatenate", "[merge]") {
  const auto m = merge(parse_manifest("sgx.debug = true\nsgx.enclave_size = \"1G\"\nlist = [1]\n", "a"),
                       parse_manifest("sgx.debug = \"yes\"\nsgx.enclave_size = \"1G\"\nlist = [1]\n", "b"));
  CHECK(m.table["sgx"]["debug"].value_or(false));
  CHECK(m.table["sgx"]["enclave_size"].value_or(std::string()) == "1G");
  CHECK(m.table["list"].as_array()->size() == 2);
  REQUIRE(m.warnings.size() == 1);
  CHECK(m.warnings[0] == "`sgx.debug` is set twice: keeping true, ignoring \"yes\".");
}

TEST_CASE("merge: final manifest precedence is user, then entrypoint manifest, then env", "[merge]") {
  const auto user = parse_manifest("loader.env.MODE = \"user\"\nloader.env.PATH = \"/opt/app/bin\"\n", "user");
  const auto entrypoint =
      parse_manifest("loader.env.PATH = \"/usr/bin:/bin\"\nlibos.entrypoint = \"/gramine/app_files/app\"\n", "entry");
  const auto env = env_manifest({{"MODE", "image"}, {"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}});
  const auto defaults = merge(entrypoint, env);
  const auto final_ = merge(user, defaults.table);
  CHECK(defaults.warnings.empty());
  CHECK(str(final_.table, "loader", "env", "MODE") == "user");
  CHECK(str(final_.table, "loader", "env", "PATH") == "/opt/app/bin:/usr/bin:/bin");
  CHECK(str(final_.table, "loader", "env", "LANG") == "C.UTF-8");
  REQUIRE(final_.warnings.size() == 1);
  CHECK(final_.warnings[0].find("`loader.env.MODE`") == 0);
}

TEST_CASE("env_manifest: values escaped when written, read back byte for byte", "[env]") {
  const std::vector<EnvEntry> env{{"Q", "say \"hi\" \\ C:\\path"}, {"CTRL", "a\tb\x01\x1f\x7f"}, {"U", "\xc3\xa9"},
                                  {"A.B", "dotted name"}, {"EMPTY", ""}};
  const std::string text = to_toml_string(env_manifest(env));
  CHECK(text ==
        "loader.env.\"A.B\" = \"dotted name\"\n"
        "loader.env.CTRL = \"a\\tb\\u0001\\u001F\\u007F\"\n"
        "loader.env.EMPTY = \"\"\n"
        "loader.env.Q = \"say \\\"hi\\\" \\\\ C:\\\\path\"\n"
        "loader.env.U = \"\xc3\xa9\"\n");
  const auto back = parse_manifest(text, "back");
  for (const auto& e : env) CHECK(back["loader"]["env"][e.name].value_or(std::string("<unset>")) == e.value);
}
