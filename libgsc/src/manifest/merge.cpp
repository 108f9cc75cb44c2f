// The original GSC's merge rules for manifests: first wins, tables merge, arrays concatenate,
// search paths join.

#include <algorithm>

#include "manifest/manifest.hpp"

namespace gsc::manifest {
namespace {

using Path = std::vector<std::string>;

std::string dotted(const Path& path) {
  std::string out;
  for (const auto& part : path) out += (out.empty() ? "" : ".") + part;
  return out;
}

// loader.env entries that are search lists: both manifests' values count, first's first.
bool joined_with_colon(const Path& path) {
  static const std::vector<std::string> lists{"LD_LIBRARY_PATH", "PATH", "LD_PRELOAD"};
  return path.size() == 3 && path[0] == "loader" && path[1] == "env" &&
         std::find(lists.begin(), lists.end(), path[2]) != lists.end();
}

// One value as TOML text.
std::string text_of(const toml::node& node) {
  toml::table holder;
  holder.insert("v", node);
  std::string text = to_toml_string(holder).substr(4);  // drop "v = "
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// One value as TOML text, shortened for a message.
std::string shown(const toml::node& node) {
  std::string text = text_of(node);
  if (text.size() <= 60) return text;
  std::size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
  return text.substr(0, cut) + "...";
}

// Two values are the same when they are written the same way (and so have the same type).
bool same_value(const toml::node& a, const toml::node& b) { return a.type() == b.type() && text_of(a) == text_of(b); }

void merge_at(toml::table& first, const toml::table& second, Path& path, std::vector<std::string>& warnings) {
  for (const auto& [key, value] : second) {
    path.emplace_back(key.str());
    toml::node* mine = first.get(key.str());
    if (!mine) {
      first.insert(key, value);
    } else if (mine->is_table() && value.is_table()) {
      merge_at(*mine->as_table(), *value.as_table(), path, warnings);
    } else if (mine->is_array() && value.is_array()) {
      for (const auto& item : *value.as_array()) mine->as_array()->push_back(item);
    } else if (same_value(*mine, value)) {
      // equal values stay
    } else if (joined_with_colon(path) && mine->is_string() && value.is_string()) {
      *mine->as_string() = mine->as_string()->get() + ":" + value.as_string()->get();
    } else {
      warnings.push_back("`" + dotted(path) + "` is set twice: keeping " + shown(*mine) + ", ignoring " + shown(value) +
                         ".");
    }
    path.pop_back();
  }
}

}  // namespace

void merge_into(toml::table& first, const toml::table& second, std::vector<std::string>& warnings) {
  Path path;
  merge_at(first, second, path, warnings);
}

Merged merge(const toml::table& first, const toml::table& second) {
  Merged out{first, {}};
  merge_into(out.table, second, out.warnings);
  return out;
}

toml::table env_manifest(const std::vector<EnvEntry>& env) {
  toml::table values;
  for (const auto& e : env) values.insert_or_assign(e.name, e.value);
  return toml::table{{"loader", toml::table{{"env", std::move(values)}}}};
}

}  // namespace gsc::manifest
