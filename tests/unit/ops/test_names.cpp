#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "gsc/ops.hpp"

TEST_CASE("image names follow the original's scheme", "[names]") {
  CHECK(gsc::unsigned_image_name("python") == "gsc-python-unsigned");
  CHECK(gsc::signed_image_name("python") == "gsc-python");
  CHECK(gsc::unsigned_image_name("python:3.11") == "gsc-python:3.11-unsigned");
  CHECK(gsc::signed_image_name("gsc-demo/app") == "gsc-gsc-demo/app");
}

TEST_CASE("parse_build_type accepts the three meson build types", "[names]") {
  CHECK(gsc::parse_build_type("release") == gsc::BuildType::release);
  CHECK(gsc::parse_build_type("debug") == gsc::BuildType::debug);
  CHECK(gsc::parse_build_type("debugoptimized") == gsc::BuildType::debugoptimized);
  try {
    gsc::parse_build_type("fast");
    FAIL("no error");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::invalid_argument);
    CHECK(std::string(e.what()).find("`fast`") != std::string::npos);
  }
}

TEST_CASE("check_image_name accepts docker's names and refuses others with the rules", "[names]") {
  for (const std::string ok : {"gramine", "gramine-debian12:1.9", "gsc-test/gramine:v1.9_rc", "a__b.c-d",
                               "registry.example.com:5000/team/gramine:latest", "localhost/x"})
    CHECK_NOTHROW(gsc::check_image_name(ok));
  for (const std::string bad : {"", "Bad", "x:", "x::y", "-x", "x-", "a b", "x:tag with space", "x/:y"}) {
    INFO(bad);
    try {
      gsc::check_image_name(bad);
      FAIL("accepted");
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::invalid_argument);
      CHECK(std::string(e.what()).find("is not a valid image name") != std::string::npos);
    }
  }
}
