// gramine/document and gramine/manifest_sgx: manifest.sgx byte for byte as real
// gramine-sgx-sign v1.9 writes it (goldens: tests/golden/gramine/NAME.manifest -> .manifest.sgx,
// produced by the real tool), the order tomli keeps, tomli_w's layout, the errors.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "gramine/document.hpp"
#include "gramine/manifest_sgx.hpp"
#include "gsc/error.hpp"

using namespace gsc::gramine;

namespace {

std::string golden_file(const std::string& name) {
  std::ifstream in(std::string(GSC_TEST_SOURCE_DIR) + "/tests/golden/gramine/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Installation kGramine{"/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine"};

// An image's files as the golden `dirs` case had them (the real signer ran with --chroot on
// the same tree): sha256 values are those of the files' contents.
class FakeFiles : public FileView {
 public:
  struct Entry {
    Kind kind;
    bool symlink = false;
    std::string sha256;
  };
  std::map<std::string, Entry> entries;
  std::map<std::string, std::vector<std::string>> dirs;
  Kind kind(const std::string& path) const override {
    const auto it = entries.find(path);
    return it == entries.end() ? Kind::missing : it->second.kind;
  }
  bool is_symlink(const std::string& path) const override {
    const auto it = entries.find(path);
    return it != entries.end() && it->second.symlink;
  }
  std::vector<std::string> list(const std::string& dir) const override {
    const auto it = dirs.find(dir);
    return it == dirs.end() ? std::vector<std::string>{} : it->second;
  }
  std::string sha256(const std::string& path) const override { return entries.at(path).sha256; }
};

FakeFiles golden_tree() {
  FakeFiles f;
  using K = FileView::Kind;
  const std::string a = "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060";
  f.entries = {{"/data", {K::directory}},
               {"/data/a.txt", {K::file, false, a}},
               {"/data/.hidden", {K::file, false, "e564b4081d7a9ea4b00dada53bdae70c99b87b6fce869f0c3dd4d2bfa1e53e1c"}},
               {"/data/Zed", {K::file, false, "594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06"}},
               {"/data/sub", {K::directory}},
               {"/data/sub/b.bin", {K::file, false, "3e744b9dc39389baf0c5a0660589b8402f3dbb49b89b3e75f2c9355852a3c677"}},
               {"/data/link-to-sub", {K::directory, true}},
               {"/data/link-to-a", {K::file, true, a}},
               {"/data/dangling", {K::missing, true}},
               {"/data/fifo", {K::other}},
               {"/data/empty", {K::directory}},
               {"/other.txt", {K::file, false, "d9298a10d1b0735837dc4bd85dac641b0f3cef27a47e5d53a54f2f3f5b2fcffa"}}};
  // Listed out of order on purpose: the signer sorts.
  f.dirs = {{"/data", {"sub", "link-to-a", "a.txt", "Zed", "dangling", "fifo", ".hidden", "empty", "link-to-sub"}},
            {"/data/sub", {"b.bin"}},
            {"/data/empty", {}}};
  return f;
}

}  // namespace

TEST_CASE("make_manifest_sgx equals real gramine-sgx-sign v1.9's manifest.sgx for every golden", "[manifest_sgx][golden]") {
  const FakeFiles files = golden_tree();
  int checked = 0;
  for (const char* name : {"cpu", "debug", "dirs", "dups", "edmm", "edmm2", "hexsize", "isv", "manyfiles", "nested",
                           "notrusted", "order", "threads1", "threads64", "unicode", "values"}) {
    INFO(name);
    const SgxManifest m = make_manifest_sgx(golden_file(std::string(name) + ".manifest"), kGramine, &files);
    CHECK(m.text == golden_file(std::string(name) + ".manifest.sgx"));
    ++checked;
  }
  CHECK(checked == 16);
}

TEST_CASE("tables keep the order in which tomli first meets their keys", "[document]") {
  const Value doc = parse_document("z.y = 1\n[b.c]\nq = 2\n[a]\nw = 3\n[b]\nr = 4\n[b.c.d]\n", "t");
  CHECK(doc.keys == std::vector<std::string>{"z", "b", "a"});
  CHECK(doc.find("b")->keys == std::vector<std::string>{"c", "r"});
  CHECK(doc.find("b")->find("c")->keys == std::vector<std::string>{"q", "d"});
}

TEST_CASE("dump_document: tomli_w 1.0's layout", "[document]") {
  SECTION("root literals first, then [table] sections; empty tables keep a header") {
    CHECK(dump_document(parse_document("a = 1\nt.x = \"s\"\ne = {}\nb = true\n", "t")) ==
          "a = 1\nb = true\n\n[t]\nx = \"s\"\n\n[e]\n");
  }
  SECTION("arrays one item per line, nested arrays indented") {
    CHECK(dump_document(parse_document("a = [1, [2, 3], []]\n", "t")) ==
          "a = [\n    1,\n    [\n        2,\n        3,\n    ],\n    [],\n]\n");
  }
  SECTION("an array of tables stays inline while every table fits in 100 code points") {
    auto doc_with = [](std::size_t name_length, const std::string& ch) {
      std::string name;
      for (std::size_t i = 0; i < name_length; ++i) name += ch;
      return dump_document(parse_document("l = [ { u = \"" + name + "\" } ]\n", "t"));
    };
    // "    { u = \"" (11) + name + "\" }," (4): 100 code points at a name of 85.
    CHECK(doc_with(85, "x").rfind("l = [\n", 0) == 0);
    CHECK(doc_with(86, "x").rfind("[[l]]\n", 0) == 0);
    CHECK(doc_with(85, "\xc3\xa9").rfind("l = [\n", 0) == 0);  // é: 2 bytes, 1 code point
  }
  SECTION("strings: tomli_w's escapes, tab kept, other controls as lowercase \\u") {
    CHECK(dump_document(parse_document("s = \"a\\tb\\u001B\\u007f\\\"\\\\\\b\\f\\r\\n\"\n", "t")) ==
          "s = \"a\tb\\u001b\\u007f\\\"\\\\\\b\\f\\r\\n\"\n");
  }
  SECTION("keys: bare when A-Za-z0-9_- only") {
    CHECK(dump_document(parse_document("\"a.b\" = 1\n\"\" = 2\nc-d_9 = 3\n", "t")) == "\"a.b\" = 1\n\"\" = 2\nc-d_9 = 3\n");
  }
}

TEST_CASE("python_float_text is Python's repr()", "[document]") {
  CHECK(python_float_text(1.0) == "1.0");
  CHECK(python_float_text(0.1) == "0.1");
  CHECK(python_float_text(1e16) == "1e+16");
  CHECK(python_float_text(1e15) == "1000000000000000.0");
  CHECK(python_float_text(123456789012345678.0) == "1.2345678901234568e+17");
  CHECK(python_float_text(0.0001) == "0.0001");
  CHECK(python_float_text(0.00001) == "1e-05");
  CHECK(python_float_text(-2.5e-300) == "-2.5e-300");
  CHECK(python_float_text(-0.0) == "-0.0");
  CHECK(python_float_text(1.0 / 0.0) == "inf");
}

TEST_CASE("parse_size is Python's int(value, 0) with K/M/G", "[manifest_sgx]") {
  CHECK(parse_size("256M", "k") == 256ull << 20);
  CHECK(parse_size("4G", "k") == 4ull << 30);
  CHECK(parse_size("0x1000", "k") == 0x1000);
  CHECK(parse_size("0o17K", "k") == 15ull << 10);
  CHECK(parse_size("0b101", "k") == 5);
  CHECK(parse_size("1_000", "k") == 1000);
  CHECK(parse_size(" 64M", "k") == 64ull << 20);
  CHECK(parse_size("0", "k") == 0);
  for (const char* bad : {"", "M", "1T", "010", "1__0", "_1", "0x", "-1", "1.5G", "256m"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_size(bad, "sgx.enclave_size"), Catch::Contains("sgx.enclave_size"));
  }
}

TEST_CASE("make_manifest_sgx: what needs the image's files, and bad manifests, are one-line input errors", "[manifest_sgx][errors]") {
  auto error_of = [](const std::string& text, const FileView* files = nullptr) {
    try {
      make_manifest_sgx(text, kGramine, files);
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::input);
      return std::string(e.what());
    }
    FAIL("no error");
    return std::string();
  };
  const std::string entry = "loader.entrypoint = { uri = \"file:/l.so\", sha256 = \"ab\" }\n";
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [\"file:/a\"]\n"), Catch::Contains("`file:/a` without a sha256"));
  CHECK_THAT(error_of("sgx.trusted_files = []\n"), Catch::Contains("loader.entrypoint.sha256"));
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [\"http://x\"]\n"), Catch::Contains("only `file:` URIs"));
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [{ uri = \"file:/a\", sha256 = \"1\" }, { uri = \"file:/a\", sha256 = \"2\" }]\n"),
             Catch::Contains("two different sha256"));
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [{ uri = \"file:/a\", sha256 = \"1\", x = 2 }]\n"), Catch::Contains("`x`"));
  CHECK_THAT(error_of(entry + "sgx.enclave_size = 512\n"), Catch::Contains("like \"512M\""));
  CHECK_THAT(error_of(entry + "sgx.max_threads = \"4\"\n"), Catch::Contains("sgx.max_threads"));
  CHECK_THAT(error_of(entry + "sgx.isvsvn = 70000\n"), Catch::Contains("0 to 65535"));
  CHECK_THAT(error_of(entry + "sgx.cpu_features.mpx = \"unspecified\"\n"), Catch::Contains("\"required\" or \"disabled\""));
  CHECK_THAT(error_of(entry + "sgx = 1\n"), Catch::Contains("`sgx`"));
  CHECK_THAT(error_of("a = \n"), Catch::Contains("entrypoint.manifest:1"));
  const FakeFiles files = golden_tree();
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [\"file:/data\"]\n", &files), Catch::Contains("write `file:/data/`"));
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [\"file:/nope\"]\n", &files), Catch::Contains("does not have"));
  CHECK_THAT(error_of(entry + "sgx.trusted_files = [{ uri = \"file:/data/\", sha256 = \"1\" }]\n", &files),
             Catch::Contains("directories have none"));
}

TEST_CASE("loader.entrypoint defaults to the installation's libsysdb.so, hashed from the image", "[manifest_sgx]") {
  FakeFiles files;
  files.entries[kGramine.pkglibdir + "/libsysdb.so"] = {FileView::Kind::file, false, "cafe"};
  const SgxManifest m = make_manifest_sgx("libos.entrypoint = \"/app\"\n", kGramine, &files);
  CHECK(m.text.find("[loader.entrypoint]\nuri = \"file:" + kGramine.pkglibdir + "/libsysdb.so\"\nsha256 = \"cafe\"\n") !=
        std::string::npos);
  CHECK(m.hashed == std::vector<std::string>{kGramine.pkglibdir + "/libsysdb.so"});
}
