#include <catch2/catch.hpp>

#include "manifest/manifest.hpp"
#include "manifest/runtime.hpp"

using namespace gsc::manifest;

namespace {

std::vector<std::string> keys_of(const std::vector<Setting>& settings) {
  std::vector<std::string> out;
  for (const auto& s : settings) out.push_back(s.key);
  return out;
}

std::string emitted(const toml::table& t) { return to_toml_string(t); }

}  // namespace

TEST_CASE("detect_runtime: from the real binary, or a script's interpreter", "[runtime]") {
  const Runtime jvm = detect_runtime("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "");
  CHECK(jvm.name == "JVM");
  CHECK(keys_of(jvm.settings) == std::vector<std::string>{"sgx.use_exinfo", "libos.check_invalid_pointers",
                                                          "sys.stack.size", "sgx.max_threads", "sgx.enclave_size"});
  CHECK_FALSE(jvm.quiet_log_reason.empty());

  CHECK(detect_runtime("/usr/bin/node", "").name == "Node.js");
  CHECK(detect_runtime("/usr/bin/nodejs", "").name == "Node.js");
  CHECK(detect_runtime("/usr/bin/python3.11", "").name == "Python");
  CHECK(detect_runtime("/usr/bin/python3.11-dbg", "").name == "Python");
  CHECK(detect_runtime("/usr/bin/perl5.36.0", "").name == "Perl");
  CHECK(detect_runtime("/usr/bin/perl", "").settings.empty());
  CHECK(detect_runtime("/app/run.sh", "/usr/bin/python3.11").name == "Python");  // a script: its interpreter decides
  CHECK(detect_runtime("/usr/bin/dash", "").name.empty());
  CHECK(detect_runtime("/usr/sbin/nginx", "").name.empty());
  CHECK(detect_runtime("/opt/javascript", "").name.empty());
  CHECK(detect_runtime("/usr/bin/pythonic", "").name.empty());

  const Runtime python = detect_runtime("/usr/bin/python3.11", "");
  CHECK(python.quiet_log_reason.empty());  // its warnings are few: refused files stay visible
  const auto dont_write = std::find_if(python.settings.begin(), python.settings.end(),
                                       [](const Setting& s) { return s.key == "loader.env.PYTHONDONTWRITEBYTECODE"; });
  REQUIRE(dont_write != python.settings.end());
  CHECK(dont_write->value == "\"1\"");
  for (const auto& r : {jvm, python, detect_runtime("/usr/bin/node", "")})
    for (const auto& s : r.settings) {
      INFO(s.key);
      CHECK_FALSE(s.why.empty());
      CHECK(s.why.find('\n') == std::string::npos);
    }
}

TEST_CASE("apply_settings: only keys the user did not set, a warning when the user's size or count is lower",
          "[runtime]") {
  toml::table m = parse_manifest("sgx.max_threads = 8\nsgx.enclave_size = \"8G\"\nsgx.use_exinfo = false\n"
                                 "sys.stack = { size = \"1M\" }\n",
                                 "user");
  const auto applied = apply_settings(m, detect_runtime("/usr/bin/java", "").settings, "JVM");
  CHECK(keys_of(applied.applied) == std::vector<std::string>{"libos.check_invalid_pointers"});
  CHECK(m["sgx"]["use_exinfo"].value<bool>() == false);  // the user's choice stays, without a warning
  CHECK(m["sgx"]["max_threads"].value<int64_t>() == 8);
  CHECK(m["libos"]["check_invalid_pointers"].value<bool>() == false);
  REQUIRE(applied.warnings.size() == 2);  // threads 8 < 64, stack 1M < 2M; 8G >= 4G is fine
  CHECK_THAT(applied.warnings[0], Catch::Contains("`sys.stack.size = \"1M\"` (your manifest) is below the \"2M\"") &&
                                      Catch::Contains("JVM apps"));
  CHECK_THAT(applied.warnings[1], Catch::Contains("`sgx.max_threads = 8`"));

  toml::table empty;
  const auto all = apply_settings(empty, app_defaults(), "");
  CHECK(all.applied.size() == 1);
  CHECK(emitted(empty) == "sys.enable_sigterm_injection = true\n");

  toml::table off = parse_manifest("sys.enable_sigterm_injection = false\n", "user");
  CHECK(apply_settings(off, app_defaults(), "").applied.empty());
  CHECK(emitted(off) == "sys.enable_sigterm_injection = false\n");

  toml::table env;
  apply_settings(env, detect_runtime("/usr/bin/python3", "").settings, "Python");
  CHECK(env["loader"]["env"]["PYTHONDONTWRITEBYTECODE"].value<std::string>() == "1");
}

TEST_CASE("parse_size: Gramine's size strings", "[runtime]") {
  CHECK(parse_size("256M") == 256ULL << 20);
  CHECK(parse_size("4G") == 4ULL << 30);
  CHECK(parse_size("1024k") == 1024ULL << 10);
  CHECK(parse_size("4096") == 4096ULL);
  CHECK_FALSE(parse_size("4T"));
  CHECK_FALSE(parse_size("lots"));
  CHECK_FALSE(parse_size("99999999999999999999G"));
}

TEST_CASE("apply_settings: with EDMM the enclave size stays Gramine's, and a non-table on the way is reported", "[runtime]") {
  toml::table m = parse_manifest("sgx.edmm_enable = true\n", "m");
  const Applied a = apply_settings(m, detect_runtime("/usr/lib/jvm/java-17/bin/java", "").settings, "JVM");
  CHECK_FALSE(m["sgx"]["enclave_size"]);
  CHECK(m["sgx"]["max_threads"].value_or(0) == 64);
  for (const auto& s : a.applied) CHECK(s.key != "sgx.enclave_size");

  toml::table odd = parse_manifest("sys.stack = \"x\"\n", "m");
  const Applied b = apply_settings(odd, detect_runtime("/usr/bin/python3.11", "").settings, "Python");
  for (const auto& s : b.applied) CHECK(s.key != "sys.stack.size");
  REQUIRE_FALSE(b.warnings.empty());
  CHECK_THAT(b.warnings.front(), Catch::Contains("sys.stack.size"));
}
