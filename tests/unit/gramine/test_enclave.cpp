// gramine/enclave: the ELF reader, the layout and MRENCLAVE against goldens that real
// gramine-sgx-sign v1.9 computed for the same manifests and PAL bytes.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gramine/enclave.hpp"
#include "gramine/manifest_sgx.hpp"
#include "gsc/error.hpp"
#include "unit/gramine/synthetic_elf.hpp"

using namespace gsc::gramine;

namespace {

std::string golden_file(const std::string& name) {
  std::ifstream in(std::string(GSC_TEST_SOURCE_DIR) + "/tests/golden/gramine/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string hex(const std::array<std::uint8_t, 32>& bytes) {
  std::string out;
  char buf[3];
  for (auto b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

}  // namespace

TEST_CASE("parse_elf: loadable segments in file order, entry point, bad files refused", "[enclave]") {
  if (const char* out = std::getenv("GSC_WRITE_SYNTHETIC_LIBPAL")) std::ofstream(out, std::ios::binary) << gsc_test::synthetic_libpal();
  const ElfImage elf = parse_elf(gsc_test::synthetic_libpal(), "libpal.so");
  CHECK(elf.entry == 0x1234);
  REQUIRE(elf.segments.size() == 2);  // the PT_NOTE is not loaded
  CHECK(elf.segments[0].flags == 5);
  CHECK(elf.segments[1].vaddr == 0x3123);
  CHECK(elf.segments[1].memsz == 0x2000);
  CHECK_THROWS_AS(parse_elf("not an elf", "x.so"), gsc::Error);
  std::string cut = gsc_test::synthetic_libpal();
  cut.resize(0x2200);  // the data segment now reaches beyond the file
  CHECK_THROWS_WITH(parse_elf(cut, "libpal.so"), Catch::Contains("beyond the file"));
}

TEST_CASE("MRENCLAVE equals real gramine-sgx-sign v1.9's for every golden manifest", "[enclave][golden]") {
  // mrenclave-synthetic.txt: "<name> <hex>" per line, from real gramine-sgx-sign --libpal <synthetic>.
  std::istringstream table(golden_file("mrenclave-synthetic.txt"));
  const std::string libpal = gsc_test::synthetic_libpal();
  int checked = 0;
  for (std::string name, expected; table >> name >> expected;) {
    INFO(name);
    const std::string manifest_sgx = golden_file(name + ".manifest.sgx");
    const SgxManifest m = make_manifest_sgx(manifest_sgx, {"/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine"}, nullptr);
    CHECK(m.text == manifest_sgx);  // a manifest.sgx is its own fixed point
    CHECK(hex(measure_enclave(m.text, libpal, m.attributes).mr_enclave) == expected);
    ++checked;
  }
  CHECK(checked >= 15);
}

TEST_CASE("the layout: areas from the top down, heap below the PAL, EDMM adds no heap", "[enclave]") {
  EnclaveAttributes a;
  a.enclave_size = 256ull << 20;
  a.max_threads = 2;
  const auto m = measure_enclave("x = 1\n", gsc_test::synthetic_libpal(), a);
  REQUIRE(m.areas.front().desc == "manifest");
  CHECK(m.areas.front().addr == (256ull << 20) - 0x1000);
  CHECK(m.areas.back().desc == "free");
  CHECK(m.areas.back().addr == 0x10000);
  CHECK_FALSE(m.areas.back().measured);
  a.edmm = true;
  CHECK(measure_enclave("x = 1\n", gsc_test::synthetic_libpal(), a).areas.back().desc == "pal");
}

TEST_CASE("an enclave too small for its threads is an input error naming the keys", "[enclave][errors]") {
  EnclaveAttributes a;
  a.enclave_size = 4;
  a.max_threads = 4;
  CHECK_THROWS_WITH(measure_enclave("", gsc_test::synthetic_libpal(), a), Catch::Contains("sgx.enclave_size"));
  a.enclave_size = 16ull << 20;
  a.max_threads = 64;  // 64 x (256K stack + 64K signal stack + ...) > 16M
  CHECK_THROWS_WITH(measure_enclave("", gsc_test::synthetic_libpal(), a), Catch::Contains("sgx.max_threads"));
}

TEST_CASE("unsigned_sigstruct: BCD date, attributes and masks as Gramine writes them", "[enclave][sigstruct]") {
  EnclaveAttributes a;
  a.flags = 0x6;
  a.xfrm = 0x3;
  a.xfrm_mask = 0xfffffffffff9ff1bULL;
  a.misc_select = 1;
  a.isv_prod_id = 7;
  a.isv_svn = 65535;
  std::array<std::uint8_t, 32> hash{};
  hash[0] = 0xab;
  const auto s = unsigned_sigstruct(hash, a, "2026-12-02");
  CHECK(s.date_year == 0x2026);
  CHECK(s.date_month == 0x12);
  CHECK(s.date_day == 0x02);
  CHECK(s.misc_mask == 0xffffffff);
  CHECK(s.enclave_hash[0] == 0xab);
  CHECK(s.isv_svn == 65535);
  CHECK_THROWS_AS(unsigned_sigstruct(hash, a, "02.12.2026"), gsc::Error);
}
