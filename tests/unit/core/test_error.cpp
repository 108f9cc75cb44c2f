#include <catch2/catch.hpp>

#include "gsc/byte_source.hpp"
#include "gsc/error.hpp"

TEST_CASE("BuildError carries the failing step and its output", "[error]") {
  const gsc::BuildError e("The command '/bin/sh -c false' returned a non-zero code: 1", "RUN false", "oops\n");
  CHECK(e.category() == gsc::ErrorCategory::build_failed);
  CHECK(e.step() == "RUN false");
  CHECK(e.output() == "oops\n");
}

TEST_CASE("make_memory_source yields the bytes then end of stream", "[byte_source]") {
  auto src = gsc::make_memory_source("hello");
  char buf[3];
  CHECK(src->read(buf, 3) == 3);
  CHECK(std::string(buf, 3) == "hel");
  CHECK(src->read(buf, 3) == 2);
  CHECK(src->read(buf, 3) == 0);
}
