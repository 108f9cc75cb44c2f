// Deterministic TOML writer. toml++'s own formatter writes [section] headers and keeps no
// fixed layout for arrays of tables; gsc wants dotted keys (as Gramine's examples do), one
// trusted file per line, and the same bytes for the same table.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"
#include "manifest/text.hpp"

namespace gsc::manifest {
namespace {

enum class Layout { top_level, nested };

std::string value_text(const toml::node& node, Layout layout);

// A bare key when TOML allows one (A-Za-z0-9_-), else a quoted key.
std::string key_text(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : quote(std::string(key));
}

// Inline table: `uri` and `path` first (they name the thing), then the other keys sorted.
std::string inline_table(const toml::table& table) {
  if (table.empty()) return "{}";
  std::vector<std::string_view> keys;
  for (const auto& [k, v] : table) keys.push_back(k.str());
  auto rank = [](std::string_view k) { return k == "uri" ? 0 : k == "path" ? 1 : 2; };
  std::stable_sort(keys.begin(), keys.end(),
                   [&](std::string_view a, std::string_view b) { return rank(a) < rank(b); });
  std::string out = "{ ";
  for (std::size_t i = 0; i < keys.size(); ++i)
    out += (i ? ", " : "") + key_text(keys[i]) + " = " + value_text(*table.get(keys[i]), Layout::nested);
  return out + " }";
}

// Arrays inline; at the top level an array holding tables has one element per line.
std::string array_text(const toml::array& array, Layout layout) {
  if (array.empty()) return "[]";
  const bool lines = layout == Layout::top_level &&
                     std::any_of(array.begin(), array.end(), [](const toml::node& n) { return n.is_table(); });
  std::string out = "[";
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item = value_text(*array.get(i), Layout::nested);
    out += lines ? "\n  " + item + "," : (i ? ", " : "") + item;
  }
  return out + (lines ? "\n]" : "]");
}

// Shortest text that reads back as the same double; TOML wants a '.' or exponent.
std::string float_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // "n": inf, nan
  return text;
}

template <typename T>
std::string streamed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string value_text(const toml::node& node, Layout layout) {
  if (const auto* s = node.as_string()) return quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) return float_text(f->get());
  if (const auto* t = node.as_table()) return inline_table(*t);
  if (const auto* a = node.as_array()) return array_text(*a, layout);
  if (const auto* d = node.as_date()) return streamed(*d);
  if (const auto* t = node.as_time()) return streamed(*t);
  if (const auto* dt = node.as_date_time()) return streamed(*dt);
  throw Error(ErrorCategory::internal, "to_toml_string: a TOML value of unknown type.");
}

// Every leaf as `dotted.key = value`; tables written inline in the source stay inline.
void emit(const toml::table& table, const std::string& prefix, std::string& out) {
  for (const auto& [k, value] : table) {
    const std::string key = prefix.empty() ? key_text(k.str()) : prefix + "." + key_text(k.str());
    if (const auto* sub = value.as_table(); sub && !sub->empty() && !sub->is_inline()) {
      emit(*sub, key, out);
    } else {
      out += key + " = " + value_text(value, Layout::top_level) + "\n";
    }
  }
}

}  // namespace

std::string quote(const std::string& value) {
  if (!is_utf8(value)) {
    std::string shown;  // bytes beyond ASCII as \xNN, at most 200 of them
    for (std::size_t i = 0; i < value.size() && shown.size() < 200; ++i) {
      const auto c = static_cast<unsigned char>(value[i]);
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      shown += c < 0x20 || c >= 0x7f || c == '`' ? std::string(escaped) : std::string(1, static_cast<char>(c));
    }
    throw Error(ErrorCategory::input, "`" + shown + (shown.size() < 200 ? "" : "...") +
                                          "` is not UTF-8, which a Gramine manifest cannot carry. Rename it in the image.");
  }
  std::string out = "\"";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04X", c);
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string to_toml_string(const toml::table& table) {
  std::string out;
  emit(table, "", out);
  return out;
}

}  // namespace gsc::manifest
