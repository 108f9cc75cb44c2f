// Which references are image ids (never pulled) and which are names (pulled when missing).

#include <catch2/catch.hpp>

#include "ops/pull.hpp"

using gsc::ops::is_image_id;

TEST_CASE("is_image_id: ids by digest or hex, names otherwise", "[pull]") {
  CHECK(is_image_id("sha256:0095ec98784ff20c75e2a5bbe17c132fab17e06be846247f9d16e0d3977a3e19"));
  CHECK(is_image_id("0095ec98784ff20c75e2a5bbe17c132fab17e06be846247f9d16e0d3977a3e19"));
  CHECK(is_image_id("0095ec98784f"));
  CHECK_FALSE(is_image_id("debian:12"));
  CHECK_FALSE(is_image_id("127.0.0.1:5000/app"));
  CHECK_FALSE(is_image_id("cafe"));  // too short for an id: a name
  CHECK_FALSE(is_image_id("sha256:"));
  CHECK_FALSE(is_image_id("0095EC98784F"));
}
