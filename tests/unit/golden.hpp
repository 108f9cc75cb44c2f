#pragma once
// Golden files of the unit suites: tests/golden/<name>. GSC_UPDATE_GOLDEN=1 rewrites them.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace gsc_test {

// The source tree: $GSC_SOURCE_DIR, else the one this suite was built from.
inline std::string source_dir() {
  const char* s = std::getenv("GSC_SOURCE_DIR");
  return s ? s : GSC_TEST_SOURCE_DIR;
}

inline void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = source_dir() + "/tests/golden/" + name;
  if (std::getenv("GSC_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << actual;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  INFO(path);
  CHECK(actual == ss.str());
}

}  // namespace gsc_test
