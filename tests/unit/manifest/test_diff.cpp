#include <catch2/catch.hpp>

#include "gsc/diff.hpp"

using namespace gsc;

namespace {

MeasuredImage image(const std::string& name, const std::string& extra, const std::string& file_hash) {
  MeasuredImage m;
  m.name = name;
  m.manifest = "libos.entrypoint = \"/gramine/app_files/app\"\nloader.env.PATH = \"/bin\"\n" + extra +
               "sgx.debug = false\nsgx.trusted_files = [\n  { uri = \"file:/a\", sha256 = \"" + file_hash +
               "\" },\n  { uri = \"file:/same\", sha256 = \"00\" },\n]\n";
  m.trusted_argv = std::string("/gramine/app_files/app\0x\0", 25);
  m.gramine_image_id = "sha256:g";
  return m;
}

}  // namespace

TEST_CASE("diff_measured: identical inputs are the same measurement", "[diff]") {
  const auto d = diff_measured(image("a", "", "11"), image("b", "", "11"));
  CHECK(d.same_measurement);
  CHECK(d.verdict.empty());
  CHECK(format_diff_text(d, image("a", "", "11"), image("b", "", "11"), 20).rfind("identical measurement", 0) == 0);
}

TEST_CASE("diff_measured: names exactly the changed file, env and sgx settings", "[diff]") {
  const auto a = image("a", "", "11");
  auto b = image("b", "loader.env.X = \"1\"\n", "22");
  b.manifest += "sgx.enclave_size = \"1G\"\n";
  b.trusted_sizes = "6 /a\n3 /same\n";  // a has no sizes recorded (an image of an older gsc)
  const auto d = diff_measured(a, b);
  CHECK_FALSE(d.same_measurement);
  REQUIRE(d.files_changed.size() == 1);
  CHECK(d.files_changed[0].path == "/a");
  CHECK(d.files_added.empty());
  CHECK(d.files_removed.empty());
  REQUIRE(d.env.size() == 1);
  CHECK(d.env[0].key == "loader.env.X");
  REQUIRE(d.sgx.size() == 1);
  CHECK(d.sgx[0].key == "sgx.enclave_size");
  CHECK(d.argv.empty());
  const std::string text = format_diff_text(d, a, b, 20);
  CHECK(text.find("measurement inputs differ") == 0);
  CHECK(text.find("/a  - -> 6 bytes  11 -> 22") != std::string::npos);
  const std::string json = format_diff_json(d, a, b);
  CHECK(json.find("\"loader.env.X\"") != std::string::npos);
  CHECK(json.find("\"new_size\": 6") != std::string::npos);
  CHECK(json.find("\"old_size\": null") != std::string::npos);
}

TEST_CASE("diff_measured: argv and the Gramine runtime, and signed images compare MRENCLAVE", "[diff]") {
  auto a = image("a", "", "11"), b = image("b", "", "11");
  b.trusted_argv = std::string("/gramine/app_files/app\0y\0", 25);
  b.gramine_image_id = "sha256:h";
  a.sigstruct.emplace().mr_enclave.assign(64, 'a');
  b.sigstruct.emplace().mr_enclave.assign(64, 'b');
  const auto d = diff_measured(a, b);
  CHECK_FALSE(d.same_measurement);
  REQUIRE(d.argv.size() == 1);
  CHECK(d.argv[0].key == "argv[1]");
  REQUIRE(d.runtime.size() == 1);
  CHECK(d.sigstruct.size() == 1);
  CHECK(format_diff_text(d, a, b, 20).rfind("MRENCLAVE changed", 0) == 0);
}

TEST_CASE("diff_measured: the settings gsc adds for a runtime each show, by key", "[diff]") {
  const auto a = image("a", "", "11");
  const auto b = image("b",
                       "libos.check_invalid_pointers = false\nsgx.use_exinfo = true\nsys.stack.size = \"2M\"\n"
                       "sys.enable_sigterm_injection = true\nloader.log_level = \"error\"\n",
                       "11");
  const auto d = diff_measured(a, b);
  const std::string text = format_diff_text(d, a, b, 0);
  for (const char* line : {"sgx.use_exinfo: (unset) -> true", "libos.check_invalid_pointers: (unset) -> false",
                           "sys.stack.size: (unset) -> \"2M\"", "sys.enable_sigterm_injection: (unset) -> true",
                           "loader.log_level: (unset) -> \"error\""}) {
    INFO(line);
    CHECK(text.find(line) != std::string::npos);
  }
}
