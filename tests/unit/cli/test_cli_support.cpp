// The CLI's own concepts: exit statuses and `--build-arg K` from the environment.

#include <catch2/catch.hpp>

#include <cstdlib>

#include "cli_support.hpp"

using gsc::ErrorCategory;
using gsc::cli::exit_code;
using gsc::cli::parse_build_arg;

TEST_CASE("exit_code maps each category to its documented status", "[cli]") {
  CHECK(exit_code(ErrorCategory::input) == 1);
  CHECK(exit_code(ErrorCategory::not_found) == 1);
  CHECK(exit_code(ErrorCategory::invalid_argument) == 2);
  CHECK(exit_code(ErrorCategory::conflict) == 3);
  CHECK(exit_code(ErrorCategory::daemon_unavailable) == 3);
  CHECK(exit_code(ErrorCategory::daemon_api) == 3);
  CHECK(exit_code(ErrorCategory::build_failed) == 4);
  CHECK(exit_code(ErrorCategory::signature) == 5);
  CHECK(exit_code(ErrorCategory::cancelled) == 130);
  CHECK(exit_code(ErrorCategory::internal) == 70);
}

TEST_CASE("parse_build_arg takes K=V, or K from the environment", "[cli]") {
  CHECK(parse_build_arg("A=b=c") == std::pair<std::string, std::string>{"A", "b=c"});
  CHECK(parse_build_arg("A=") == std::pair<std::string, std::string>{"A", ""});
  ::setenv("GSC_TEST_BUILD_ARG", "from-env", 1);
  CHECK(parse_build_arg("GSC_TEST_BUILD_ARG") == std::pair<std::string, std::string>{"GSC_TEST_BUILD_ARG", "from-env"});
  ::unsetenv("GSC_TEST_BUILD_ARG_MISSING");
  try {
    parse_build_arg("GSC_TEST_BUILD_ARG_MISSING");
    FAIL("no error");
  } catch (const gsc::Error& e) {
    CHECK(exit_code(e.category()) == 2);
    CHECK(std::string(e.what()).find("`GSC_TEST_BUILD_ARG_MISSING` is not set") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_build_arg("=x"), gsc::Error);
}
