// gramine/host_runtime: DT_NEEDED, RUNPATH and PT_INTERP of ELF files, the interpreter
// re-pointed in place, and the closure of what Gramine's SGX loader maps.

#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "gramine/host_runtime.hpp"
#include "gsc/error.hpp"

using namespace gsc::gramine;

namespace {

// A minimal ELF64 with an optional PT_INTERP and a PT_DYNAMIC naming `needed` (and a RUNPATH),
// its string table mapped by one PT_LOAD at vaddr 0x400000.
std::string elf_with(const std::string& interpreter, const std::vector<std::string>& needed,
                     const std::string& runpath = "") {
  std::string strtab(1, '\0');
  std::vector<std::uint64_t> name_offsets;
  for (const auto& n : needed) {
    name_offsets.push_back(strtab.size());
    strtab += n + '\0';
  }
  const std::uint64_t runpath_offset = strtab.size();
  strtab += runpath + '\0';
  const std::size_t phnum = 3, ph = 64, interp_at = ph + phnum * 56, strtab_at = interp_at + 64;
  const std::size_t dyn_at = strtab_at + strtab.size() + 8;
  std::string elf(dyn_at + 16 * (needed.size() + 3), '\0');
  auto put = [&](std::size_t at, auto v) { std::memcpy(elf.data() + at, &v, sizeof v); };
  const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(elf.data(), ident, 16);
  put(32, std::uint64_t{ph});
  put(54, std::uint16_t{56});
  put(56, std::uint16_t{phnum});
  auto phdr = [&](std::size_t i, std::uint32_t type, std::uint64_t off, std::uint64_t vaddr, std::uint64_t size) {
    const std::size_t at = ph + i * 56;
    put(at, type);
    put(at + 8, off);
    put(at + 16, vaddr);
    put(at + 32, size);
    put(at + 40, size);
  };
  phdr(0, 1, 0, 0x400000, elf.size());                                        // PT_LOAD of everything
  phdr(1, interpreter.empty() ? 4u : 3u, interp_at, 0x400000 + interp_at, 28);  // PT_INTERP (or a NOTE)
  phdr(2, 2, dyn_at, 0x400000 + dyn_at, 16 * (needed.size() + 3));           // PT_DYNAMIC
  std::memcpy(elf.data() + interp_at, interpreter.data(), interpreter.size());
  std::memcpy(elf.data() + strtab_at, strtab.data(), strtab.size());
  std::size_t d = dyn_at;
  put(d, std::int64_t{5}), put(d + 8, std::uint64_t{0x400000 + strtab_at}), d += 16;  // DT_STRTAB
  for (auto off : name_offsets) put(d, std::int64_t{1}), put(d + 8, off), d += 16;   // DT_NEEDED
  if (!runpath.empty()) put(d, std::int64_t{29}), put(d + 8, runpath_offset), d += 16;
  return elf;
}

}  // namespace

TEST_CASE("read_dynamic: interpreter, needed sonames in order, runpath", "[host_runtime]") {
  const auto d = read_dynamic(elf_with("/lib64/ld-linux-x86-64.so.2", {"libprotobuf-c.so.1", "libc.so.6"}, "/opt/a:/opt/b"),
                              "loader");
  CHECK(d.interpreter == "/lib64/ld-linux-x86-64.so.2");
  CHECK(d.needed == std::vector<std::string>{"libprotobuf-c.so.1", "libc.so.6"});
  CHECK(d.runpath == std::vector<std::string>{"/opt/a", "/opt/b"});
  CHECK(read_dynamic(elf_with("", {}), "static").interpreter.empty());
  CHECK_THROWS_WITH(read_dynamic("#!/bin/sh\n", "script"), Catch::Contains("`script` is not a usable ELF64"));
}

TEST_CASE("with_interpreter rewrites PT_INTERP in place, only when the new path fits", "[host_runtime]") {
  const std::string elf = elf_with("/lib64/ld-linux-x86-64.so.2", {"libc.so.6"});
  const std::string patched = with_interpreter(elf, kDynamicLinker, "loader");
  CHECK(patched.size() == elf.size());
  CHECK(read_dynamic(patched, "loader").interpreter == kDynamicLinker);
  CHECK(read_dynamic(patched, "loader").needed == std::vector<std::string>{"libc.so.6"});
  CHECK_THROWS_WITH(with_interpreter(elf, "/a/path/much/longer/than/twenty-eight/bytes", "loader"),
                    Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(with_interpreter(elf_with("", {}), kDynamicLinker, "loader"), Catch::Contains("no ELF interpreter"));
}

TEST_CASE("sgx_loader_files: the loader re-pointed, its interpreter, the closure of its libraries", "[host_runtime]") {
  std::map<std::string, std::string> image{
      {"/g/sgx/loader", elf_with("/lib64/ld-linux-x86-64.so.2", {"libprotobuf-c.so.1", "libc.so.6"})},
      {"/lib64/ld-linux-x86-64.so.2", elf_with("", {})},
      {"/usr/lib/x86_64-linux-gnu/libprotobuf-c.so.1", elf_with("", {"libc.so.6"})},
      {"/lib/x86_64-linux-gnu/libc.so.6", elf_with("", {"ld-linux-x86-64.so.2"})},
  };
  auto read = [&](const std::string& path) -> std::optional<std::string> {
    const auto it = image.find(path);
    return it == image.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  const auto files = sgx_loader_files(read, "/g/sgx/loader", default_library_dirs());
  REQUIRE(files.size() == 4);
  CHECK(files[0].path == "/gramine/gsc/sgx-loader");
  CHECK(read_dynamic(files[0].bytes, "x").interpreter == "/gramine/gsc/ld.so");
  CHECK(files[1].path == "/gramine/gsc/ld.so");
  CHECK(files[2].path == "/gramine/gsc/lib/libprotobuf-c.so.1");
  CHECK(files[2].source == "/usr/lib/x86_64-linux-gnu/libprotobuf-c.so.1");
  CHECK(files[3].path == "/gramine/gsc/lib/libc.so.6");

  image.erase("/usr/lib/x86_64-linux-gnu/libprotobuf-c.so.1");
  CHECK_THROWS_WITH(sgx_loader_files(read, "/g/sgx/loader", default_library_dirs()),
                    Catch::Contains("no `libprotobuf-c.so.1`, which `/g/sgx/loader` needs"));
  image["/g/sgx/loader"] = elf_with("", {});
  CHECK(sgx_loader_files(read, "/g/sgx/loader", default_library_dirs()).size() == 1);  // static: as it is
}
