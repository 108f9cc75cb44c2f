#pragma once
// What `gsc info-image` shows of an enclave's SIGSTRUCT, and whether its signature holds.

#include <cstdint>
#include <string>

#include "gsc/export.hpp"

namespace gsc {

struct SigstructInfo {
  std::string mr_enclave;       // hex, 32 bytes
  std::string mr_signer;        // hex: SHA-256 of the modulus as stored (little-endian)
  std::uint16_t isv_prod_id = 0;
  std::uint16_t isv_svn = 0;
  std::string date;             // YYYY-MM-DD
  std::string flags;            // hex of the raw little-endian bytes
  std::string xfrms;
  std::string misc_select;
  bool debug = false;           // flags bit 1
  bool signature_valid = false; // exponent 3, 3072-bit modulus, PKCS#1 v1.5 SHA-256, q1/q2
  std::string signature_problem;  // why not, when not valid
};

// Parses and verifies a SIGSTRUCT (entrypoint.sig). A wrong length or header is a
// gsc::Error (signature); a bad signature is reported in the result, not thrown.
GSC_API SigstructInfo describe_sigstruct(const std::string& bytes);

// As the original GSC prints it (TOML), plus `signature_valid`.
GSC_API std::string format_info_toml(const SigstructInfo& info);
// The same fields as one JSON object.
GSC_API std::string format_info_json(const SigstructInfo& info);

}  // namespace gsc
