#include "manifest/text.hpp"

namespace gsc::manifest {

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code = 0;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xc2 && c <= 0xdf) { length = 2; code = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { length = 3; code = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { length = 4; code = c & 0x07; }
    else return false;
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    const char32_t minimum = length == 3 ? 0x800 : length == 4 ? 0x10000 : 0x80;
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

}  // namespace gsc::manifest
