#include <catch2/catch.hpp>

#include "ops/manifest_check.hpp"

using gsc::ops::verdict_of;
using Kind = gsc::ops::ManifestCheck::Verdict::Kind;

TEST_CASE("verdict_of: Gramine's findings reject, a missing or broken tool only skips the check", "[check]") {
  CHECK(verdict_of(0, "", "", "g").kind == Kind::valid);

  // gramine-manifest-check's own output for `sgx.enclave_size = 4` and for bad TOML.
  const auto schema = verdict_of(1, "error in manifest: expected str for dictionary value @ data['sgx']['enclave_size']\n",
                                 "", "g");
  CHECK(schema.kind == Kind::rejected);
  CHECK(schema.message == "error in manifest: expected str for dictionary value @ data['sgx']['enclave_size']");
  const auto toml = verdict_of(2, "", "Usage: gramine-manifest-check [OPTIONS] [FILE]\nTry 'gramine-manifest-check "
                                      "--help' for help.\n\nError: error parsing manifest: Invalid value (at line 3)\n",
                               "g");
  CHECK(toml.kind == Kind::rejected);
  CHECK(toml.message == "error parsing manifest: Invalid value (at line 3)");

  const auto absent = verdict_of(3, "", "", "gsc-test/gramine-standin:1.9");
  CHECK(absent.kind == Kind::not_checked);
  CHECK_THAT(absent.message, Catch::Contains("`gsc-test/gramine-standin:1.9` has no gramine-manifest-check"));
  // A traceback (Python without Gramine's modules) is no finding about the manifest.
  const auto broken = verdict_of(1, "", "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'graminelibos'\n", "g");
  CHECK(broken.kind == Kind::not_checked);
  CHECK_THAT(broken.message, Catch::Contains("could not run (ModuleNotFoundError: No module named 'graminelibos')"));
  CHECK(verdict_of(137, "", "", "g").kind == Kind::not_checked);
}
