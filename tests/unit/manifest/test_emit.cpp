#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

using namespace gsc::manifest;

namespace {

const std::vector<std::string> kLines{
    "libos.entrypoint = \"/gramine/app_files/echo\"",
    "loader.entrypoint.uri = \"file:/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/libsysdb.so\"",
    "loader.entrypoint.sha256 = \"ab\"",
    "loader.log_level = \"error\"",
    "loader.env.LD_LIBRARY_PATH = \"/lib:/usr/lib\"",
    "loader.env.Q = \"a\\\"b\"",
    "loader.argv_src_file = \"file:/gramine/app_files/trusted_argv\"",
    "fs.root = { type = \"chroot\", uri = \"file:/\" }",
    "fs.start_dir = \"/\"",
    "fs.mounts = [{ type = \"tmpfs\", path = \"/tmp\" }]",
    "sgx.debug = false",
    "sgx.enclave_size = \"1G\"",
    "sgx.max_threads = 4",
    "sys.enable_extra_runtime_domain_names_conf = true",
};

toml::table in_order(std::vector<std::string> lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return parse_manifest(text, "shuffled");
}

}  // namespace

TEST_CASE("to_toml_string: sorted dotted keys, inline tables uri/path first, trusted files one per line", "[emit]") {
  auto t = in_order(kLines);
  add_trusted_files(t, {{"/usr/bin/echo", "11"}, {"/etc/ld.so.cache", "22"}});
  CHECK(to_toml_string(t) ==
        "fs.mounts = [\n"
        "  { path = \"/tmp\", type = \"tmpfs\" },\n"
        "]\n"
        "fs.root = { uri = \"file:/\", type = \"chroot\" }\n"
        "fs.start_dir = \"/\"\n"
        "libos.entrypoint = \"/gramine/app_files/echo\"\n"
        "loader.argv_src_file = \"file:/gramine/app_files/trusted_argv\"\n"
        "loader.entrypoint.sha256 = \"ab\"\n"
        "loader.entrypoint.uri = \"file:/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/libsysdb.so\"\n"
        "loader.env.LD_LIBRARY_PATH = \"/lib:/usr/lib\"\n"
        "loader.env.Q = \"a\\\"b\"\n"
        "loader.log_level = \"error\"\n"
        "sgx.debug = false\n"
        "sgx.enclave_size = \"1G\"\n"
        "sgx.max_threads = 4\n"
        "sgx.trusted_files = [\n"
        "  { uri = \"file:/usr/bin/echo\", sha256 = \"11\" },\n"
        "  { uri = \"file:/etc/ld.so.cache\", sha256 = \"22\" },\n"
        "]\n"
        "sys.enable_extra_runtime_domain_names_conf = true\n");
}

TEST_CASE("to_toml_string: deterministic whatever the insertion order", "[emit]") {
  const std::string reference = to_toml_string(in_order(kLines));
  CHECK(to_toml_string(in_order(kLines)) == reference);  // serialize twice
  std::mt19937 random(42);
  for (int round = 0; round < 20; ++round) {
    auto lines = kLines;
    std::shuffle(lines.begin(), lines.end(), random);
    CHECK(to_toml_string(in_order(lines)) == reference);
  }
  // Built in code, in two orders, with [section] headers in the source.
  toml::table a;
  a.insert("sgx", toml::table{{"debug", false}, {"max_threads", 4}});
  a.insert("libos", toml::table{{"entrypoint", "/x"}});
  toml::table b;
  b.insert("libos", toml::table{{"entrypoint", "/x"}});
  b.insert("sgx", toml::table{{"max_threads", 4}, {"debug", false}});
  const auto c = parse_manifest("[sgx]\nmax_threads = 4\ndebug = false\n[libos]\nentrypoint = \"/x\"\n", "c");
  CHECK(to_toml_string(a) == to_toml_string(b));
  CHECK(to_toml_string(a) == to_toml_string(c));
  CHECK(to_toml_string(a) == "libos.entrypoint = \"/x\"\nsgx.debug = false\nsgx.max_threads = 4\n");
}

TEST_CASE("to_toml_string: round-trips through the parser, same bytes again", "[emit]") {
  auto t = parse_manifest(
      "a.\"key with space\" = 1\n\"\" = \"empty key\"\nb = -9223372036854775808\nf = [0.1, 1.0, 1e300, -2.5e-7]\n"
      "d = 1979-05-27\ndt = 1979-05-27T07:32:00Z\ntm = 07:32:00\n"
      "nested = [{ x = [1, [2, 3]], y = { z = \"w\" } }]\nstrings = [\"a\", \"b\"]\nempty = {}\n"
      "[[fs.mounts]]\npath = \"/data\"\nuri = \"file:/data\"\n[[fs.mounts]]\ntype = \"tmpfs\"\npath = \"/tmp\"\n",
      "m");
  const std::string text = to_toml_string(t);
  CHECK(text.find("a.\"key with space\" = 1\n") != std::string::npos);
  CHECK(text.find("\"\" = \"empty key\"\n") != std::string::npos);
  CHECK(text.find("f = [0.1, 1.0, 1e+300, -2.5e-07]\n") != std::string::npos);
  CHECK(text.find("nested = [\n  { x = [1, [2, 3]], y = { z = \"w\" } },\n]\n") != std::string::npos);
  CHECK(text.find("fs.mounts = [\n  { uri = \"file:/data\", path = \"/data\" },\n  { path = \"/tmp\", type = \"tmpfs\" },\n]\n") !=
        std::string::npos);
  CHECK(text.find("empty = {}\n") != std::string::npos);
  CHECK(text.find("strings = [\"a\", \"b\"]\n") != std::string::npos);
  const auto again = parse_manifest(text, "again");
  CHECK(to_toml_string(again) == text);
  CHECK(again == t);
}

TEST_CASE("quote: escapes backslash, quote and every control character", "[emit]") {
  CHECK(quote("plain <&> 'x'") == "\"plain <&> 'x'\"");
  CHECK(quote("\"\\") == "\"\\\"\\\\\"");
  CHECK(quote("\b\t\n\f\r") == "\"\\b\\t\\n\\f\\r\"");
  CHECK(quote(std::string("\0\x01\x1b\x7f", 4)) == "\"\\u0000\\u0001\\u001B\\u007F\"");
  CHECK(quote("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  for (int c = 0; c < 256; ++c) {
    std::string s(1, static_cast<char>(c));
    if (c >= 0x80) s = std::string("\xc2") + static_cast<char>(0x80 | (c & 0x3f));  // a 2-byte code point
    toml::table t;
    t.insert("v", s);
    CHECK(parse_manifest(to_toml_string(t), "byte")["v"].value_or(std::string("<unset>")) == s);
  }
}

TEST_CASE("quote: text that is not UTF-8 is an input error", "[emit]") {
  for (const char* bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\xe2\x82"}) {
    INFO(bad);
    try {
      quote(bad);
      FAIL("quoted");
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::input);
      CHECK_THAT(e.what(), Catch::Contains("not UTF-8"));
    }
  }
}

TEST_CASE("quote: the error names the text, escaped and cut", "[emit][hostile]") {
  try {
    quote("/opt/over\xc0\xaflong`x");
    FAIL("quoted");
  } catch (const gsc::Error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("`/opt/over\\xc0\\xaflong\\x60x` is not UTF-8"));
  }
  try {
    quote(std::string(1000, '\xff'));
    FAIL("quoted");
  } catch (const gsc::Error& e) {
    CHECK(std::string(e.what()).size() < 400);
  }
}
