#pragma once
// The SGX SIGSTRUCT (1808 bytes, little-endian fields) as a struct whose offsets are checked
// at compile time, and the operations gsc does on it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "gsc/sigstruct.hpp"

namespace gsc::sgx {

#pragma pack(push, 1)
struct Sigstruct {
  std::uint8_t header[16];
  std::uint32_t vendor;
  std::uint8_t date_day;     // BCD
  std::uint8_t date_month;   // BCD
  std::uint16_t date_year;   // BCD: 2026 is 0x2026
  std::uint8_t header2[16];
  std::uint32_t swdefined;
  std::uint8_t reserved1[84];
  std::uint8_t modulus[384];   // little-endian
  std::uint32_t exponent;
  std::uint8_t signature[384]; // little-endian
  std::uint32_t misc_select;
  std::uint32_t misc_mask;
  std::uint8_t reserved2[20];
  std::uint64_t flags;
  std::uint64_t xfrm;
  std::uint8_t attribute_mask[16];
  std::uint8_t enclave_hash[32];
  std::uint8_t reserved3[32];
  std::uint16_t isv_prod_id;
  std::uint16_t isv_svn;
  std::uint8_t reserved4[12];
  std::uint8_t q1[384];
  std::uint8_t q2[384];
};
#pragma pack(pop)

static_assert(sizeof(Sigstruct) == 1808);
static_assert(offsetof(Sigstruct, vendor) == 16);
static_assert(offsetof(Sigstruct, date_day) == 20);
static_assert(offsetof(Sigstruct, date_year) == 22);
static_assert(offsetof(Sigstruct, header2) == 24);
static_assert(offsetof(Sigstruct, swdefined) == 40);
static_assert(offsetof(Sigstruct, modulus) == 128);
static_assert(offsetof(Sigstruct, exponent) == 512);
static_assert(offsetof(Sigstruct, signature) == 516);
static_assert(offsetof(Sigstruct, misc_select) == 900);
static_assert(offsetof(Sigstruct, misc_mask) == 904);
static_assert(offsetof(Sigstruct, flags) == 928);
static_assert(offsetof(Sigstruct, xfrm) == 936);
static_assert(offsetof(Sigstruct, attribute_mask) == 944);
static_assert(offsetof(Sigstruct, enclave_hash) == 960);
static_assert(offsetof(Sigstruct, isv_prod_id) == 1024);
static_assert(offsetof(Sigstruct, isv_svn) == 1026);
static_assert(offsetof(Sigstruct, q1) == 1040);
static_assert(offsetof(Sigstruct, q2) == 1424);

inline constexpr std::array<std::uint8_t, 16> kHeader{0x06, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0};
inline constexpr std::array<std::uint8_t, 16> kHeader2{0x01, 0x01, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 0x01, 0, 0, 0};

// Checks length and both headers; a gsc::Error (signature) otherwise.
Sigstruct parse(const std::string& bytes);

// The bytes the signature covers: [0,128) followed by [900,1028) (256 bytes). They hold
// neither the modulus nor the signature, so any key can sign the same measurement.
std::string signing_data(const std::string& bytes);

struct Verification {
  bool valid = false;
  std::string problem;
};

// Exponent 3, 3072-bit modulus, RSASSA-PKCS1-v1_5/SHA-256 over signing_data, q1/q2.
Verification verify(const Sigstruct& s);

// The struct as its 1808 bytes.
std::string to_bytes(const Sigstruct& s);

}  // namespace gsc::sgx
