#pragma once
// The second half of Gramine v1.9's `gramine-sgx-sign`, natively: the enclave's memory layout
// (manifest, SSA, TCS, TLS, stacks, libpal.so's segments, heap) and its measurement, the
// SHA-256 chain of ECREATE, EADD and EEXTEND that the CPU computes as MRENCLAVE; then the
// SIGSTRUCT to be signed.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gramine/manifest_sgx.hpp"
#include "sgx/sigstruct.hpp"

namespace gsc::gramine {

// The loadable segments of an ELF64 file (PT_LOAD program headers, in file order).
struct LoadSegment {
  std::uint64_t offset = 0;
  std::uint64_t vaddr = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
  std::uint32_t flags = 0;  // PF_X 1, PF_W 2, PF_R 4
};

struct ElfImage {
  std::uint64_t entry = 0;
  std::vector<LoadSegment> segments;
};

// Parses the ELF header and program headers; a gsc::Error (input) naming `name` when the bytes
// are not a little-endian ELF64 file or a segment lies outside them.
ElfImage parse_elf(const std::string& bytes, const std::string& name);

// One region of the enclave, as `gramine-sgx-sign --verbose` lists it.
struct Area {
  std::string desc;  // manifest, ssa, tcs, tls, stack, sig_stack, pal, free
  std::uint64_t addr = 0;
  std::uint64_t size = 0;
  bool measured = true;
};

struct Measurement {
  std::array<std::uint8_t, 32> mr_enclave{};
  std::vector<Area> areas;
};

// MRENCLAVE of the enclave that Gramine v1.9's SGX PAL (`libpal`, the bytes of sgx/libpal.so)
// builds for `manifest_sgx` (the bytes of entrypoint.manifest.sgx). A gsc::Error (input) when
// the enclave size cannot hold the layout.
Measurement measure_enclave(const std::string& manifest_sgx, const std::string& libpal, const EnclaveAttributes& attributes);

// The SIGSTRUCT before signing: headers, date (YYYY-MM-DD, stored as BCD), attributes and
// their masks, MRENCLAVE, ISV fields; modulus, exponent, signature, q1, q2 zero.
sgx::Sigstruct unsigned_sigstruct(const std::array<std::uint8_t, 32>& mr_enclave, const EnclaveAttributes& attributes,
                                  const std::string& date);

}  // namespace gsc::gramine
