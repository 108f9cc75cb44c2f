#pragma once
// Text checks shared by the manifest module.

#include <string_view>

namespace gsc::manifest {

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF):
// a TOML file, and so a Gramine manifest, can carry nothing else.
bool is_utf8(std::string_view text);

}  // namespace gsc::manifest
