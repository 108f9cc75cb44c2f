#pragma once
// Signing a SIGSTRUCT with a gsc::Signer.

#include <string>

#include "gsc/signer.hpp"

namespace gsc::sgx {

// The signing data of a SIGSTRUCT and its SHA-256.
SigningRequest signing_request(const std::string& sigstruct);

// Asks the signer for its modulus and a signature over the SIGSTRUCT's signing data, writes
// them (and q1, q2) into the SIGSTRUCT and verifies the result against that modulus: a signer
// that signs with another key, or something else, is a one-line gsc::Error (signature).
std::string sign_with(const std::string& sigstruct, Signer& signer);

}  // namespace gsc::sgx
