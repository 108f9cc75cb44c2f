#pragma once
// A small, fully deterministic ELF64 shared object standing in for Gramine's sgx/libpal.so in
// unit tests (Gramine itself is never part of the repository): a text segment at 0, a data
// segment that starts mid-page with a bss tail, and a PT_NOTE that measurement must skip.
// The MRENCLAVE goldens in tests/golden/gramine/mrenclave-synthetic.txt were computed by real
// gramine-sgx-sign v1.9 with `--libpal` pointing at these bytes (GSC_WRITE_SYNTHETIC_LIBPAL=FILE
// makes the unit suite write them out).

#include <cstdint>
#include <cstring>
#include <string>

namespace gsc_test {

inline std::string synthetic_libpal() {
  std::string elf(0x2623, '\0');
  std::uint32_t x = 12345;  // LCG: the same bytes everywhere
  for (std::size_t i = 0x200; i < elf.size(); ++i) {
    x = x * 1103515245u + 12345u;
    elf[i] = static_cast<char>(x >> 16);
  }
  auto put = [&](std::size_t at, auto value) { std::memcpy(elf.data() + at, &value, sizeof value); };
  const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(elf.data(), ident, sizeof ident);
  put(16, std::uint16_t{3});        // ET_DYN
  put(18, std::uint16_t{62});       // EM_X86_64
  put(20, std::uint32_t{1});        // EV_CURRENT
  put(24, std::uint64_t{0x1234});   // e_entry
  put(32, std::uint64_t{64});       // e_phoff
  put(40, std::uint64_t{0});        // e_shoff
  put(48, std::uint32_t{0});        // e_flags
  put(52, std::uint16_t{64});       // e_ehsize
  put(54, std::uint16_t{56});       // e_phentsize
  put(56, std::uint16_t{3});        // e_phnum
  put(58, std::uint16_t{64});       // e_shentsize
  put(60, std::uint16_t{0});        // e_shnum
  put(62, std::uint16_t{0});        // e_shstrndx
  auto phdr = [&](int i, std::uint32_t type, std::uint32_t flags, std::uint64_t offset, std::uint64_t vaddr,
                  std::uint64_t filesz, std::uint64_t memsz) {
    const std::size_t at = 64 + static_cast<std::size_t>(i) * 56;
    put(at, type);
    put(at + 4, flags);
    put(at + 8, offset);
    put(at + 16, vaddr);
    put(at + 24, vaddr);  // p_paddr
    put(at + 32, filesz);
    put(at + 40, memsz);
    put(at + 48, std::uint64_t{0x1000});
  };
  phdr(0, 1, 5, 0, 0, 0x1800, 0x1800);                // PT_LOAD R+X
  phdr(1, 4, 4, 0x1f00, 0x1f00, 0x20, 0x20);          // PT_NOTE
  phdr(2, 1, 6, 0x2123, 0x3123, 0x500, 0x2000);       // PT_LOAD R+W, bss tail
  return elf;
}

}  // namespace gsc_test
