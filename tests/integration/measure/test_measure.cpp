// gsc's own measurement against real gramine-sgx-sign v1.9, live: the golden manifests of
// tests/golden/gramine measured by gsc's code with the real SGX PAL of the Gramine image, and
// by the real tool in a container, must agree byte for byte (manifest.sgx and SIGSTRUCT's
// signed fields). Runs in the real-Gramine leg only.

#include <catch2/catch.hpp>

#include "gramine/enclave.hpp"
#include "gramine/manifest_sgx.hpp"
#include "integration/support.hpp"
#include "sgx/sigstruct.hpp"

using namespace gsc_test;

TEST_CASE("native manifest.sgx and MRENCLAVE equal real gramine-sgx-sign v1.9's on the golden matrix", "[measure][real]") {
  REQUIRE(gramine_image() == "gsc-test/gramine:1.9");
  TempDir dir;
  const std::string golden = std::string(GSC_TEST_SOURCE_DIR) + "/tests/golden/gramine";
  const std::vector<std::string> names{"cpu",     "debug",    "dups",      "edmm",  "edmm2",    "hexsize",
                                       "isv",     "manyfiles", "nested",   "notrusted", "order", "threads1",
                                       "threads64", "unicode", "values"};
  for (const auto& name : names) write_file(dir / (name + ".manifest"), slurp(golden + "/" + name + ".manifest"));
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(dir / "key.pem") + " 3072").status == 0);
  // The real tool, with the real PAL, on every manifest; the PAL copied out for gsc's code.
  const std::string libpal = "/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/sgx/libpal.so";
  const Run real = sh("docker run --rm --network none -v " + sh_quote(dir.path().string()) + ":/w -w /w " +
                      gramine_image() + " sh -c 'cp " + libpal +
                      " libpal.so && for f in *.manifest; do gramine-sgx-sign -q --key key.pem --manifest $f "
                      "--output $f.sgx --sigfile $f.sig --date 2026-12-02 || exit 1; done'");
  INFO(real.err);
  REQUIRE(real.status == 0);
  const std::string pal = slurp(dir / "libpal.so");
  REQUIRE(pal.size() > 100000);
  for (const auto& name : names) {
    INFO(name);
    const auto m = gsc::gramine::make_manifest_sgx(slurp(dir / (name + ".manifest")),
                                                   {"/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine"}, nullptr);
    CHECK(m.text == slurp(dir / (name + ".manifest.sgx")));
    const auto measured = gsc::gramine::measure_enclave(m.text, pal, m.attributes);
    const auto tbs = gsc::sgx::to_bytes(gsc::gramine::unsigned_sigstruct(measured.mr_enclave, m.attributes, "2026-12-02"));
    const std::string theirs = slurp(dir / (name + ".manifest.sig"));
    REQUIRE(theirs.size() == 1808);
    CHECK(gsc::sgx::signing_data(tbs) == gsc::sgx::signing_data(theirs));  // MRENCLAVE and every signed field
  }
  sh("rm -rf " + sh_quote(dir.path().string()) + "/*");  // files made by root in the container
}
