#include "manifest/manifest.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gsc/error.hpp"

namespace gsc::manifest {

toml::table parse_manifest(const std::string& text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw Error(ErrorCategory::input, name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                          ": malformed manifest: " + std::string(e.description()) + ".");
  }
}

toml::table load_user_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::input, "Cannot read the manifest `" + path + "`. Check the path.");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_manifest(ss.str(), path);
}

namespace {

bool joined_with_colon(const std::string& key) {
  return key == "loader.env.LD_LIBRARY_PATH" || key == "loader.env.PATH" || key == "loader.env.LD_PRELOAD";
}

std::string value_text(const toml::node& node);

// Two values are the same when they are written the same way.
bool same_value(const toml::node& a, const toml::node& b) { return a.type() == b.type() && value_text(a) == value_text(b); }

}  // namespace

void merge_into(toml::table& first, const toml::table& second, std::vector<std::string>& warnings,
                const std::string& prefix) {
  for (const auto& [k, value] : second) {
    const std::string key(k.str());
    const std::string full = prefix.empty() ? key : prefix + "." + key;
    toml::node* mine = first.get(key);
    if (!mine) {
      first.insert(key, value);
      continue;
    }
    if (mine->is_table() && value.is_table()) {
      merge_into(*mine->as_table(), *value.as_table(), warnings, full);
    } else if (mine->is_array() && value.is_array()) {
      for (const auto& item : *value.as_array()) mine->as_array()->push_back(item);
    } else if (same_value(*mine, value)) {
      continue;
    } else if (joined_with_colon(full) && mine->is_string() && value.is_string()) {
      *mine->as_string() = mine->as_string()->get() + ":" + value.as_string()->get();
    } else {
      warnings.push_back("`" + full + "` is set twice; keeping the value of the earlier manifest.");
    }
  }
}

std::string quote(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
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
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

std::string key_text(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : quote(std::string(key));
}

// Inline table: `uri` and `path` first (they name the thing), then the other keys sorted.
std::string inline_table(const toml::table& table) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : table) keys.emplace_back(k.str());
  std::stable_sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    auto rank = [](const std::string& k) { return k == "uri" ? 0 : k == "path" ? 1 : 2; };
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  std::string out = "{ ";
  for (std::size_t i = 0; i < keys.size(); ++i)
    out += (i ? ", " : "") + key_text(keys[i]) + " = " + value_text(*table.get(keys[i]));
  return out + " }";
}

std::string value_text(const toml::node& node) {
  if (const auto* s = node.as_string()) return quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) {
    std::ostringstream ss;
    ss << f->get();
    std::string text = ss.str();
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
    return text;
  }
  if (const auto* t = node.as_table()) return inline_table(*t);
  if (const auto* a = node.as_array()) {
    if (a->empty()) return "[]";
    const bool tables = std::all_of(a->begin(), a->end(), [](const toml::node& n) { return n.is_table(); });
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (tables) out += "\n  " + value_text(*a->get(i)) + ",";
      else out += (i ? ", " : "") + value_text(*a->get(i));
    }
    return out + (tables ? "\n]" : "]");
  }
  if (const auto* d = node.as_date()) {
    std::ostringstream ss;
    ss << *d;
    return ss.str();
  }
  std::ostringstream ss;
  node.visit([&](const auto& n) { ss << n; });
  return ss.str();
}

void emit(const toml::table& table, const std::string& prefix, std::string& out) {
  for (const auto& [k, value] : table) {
    const std::string key = prefix.empty() ? key_text(k.str()) : prefix + "." + key_text(k.str());
    if (const auto* sub = value.as_table(); sub && !sub->empty() && !sub->is_inline()) {
      emit(*sub, key, out);
    } else {
      out += key + " = " + value_text(value) + "\n";
    }
  }
}

std::optional<std::string> uri_path(const toml::node& entry) {
  std::optional<std::string> uri;
  if (const auto* s = entry.as_string()) uri = s->get();
  else if (const auto* t = entry.as_table()) uri = (*t)["uri"].value<std::string>();
  if (!uri || uri->rfind("file:", 0) != 0) return std::nullopt;
  return uri->substr(5);
}

}  // namespace

std::string to_toml_string(const toml::table& table) {
  std::string out;
  emit(table, "", out);
  return out;
}

std::set<std::string> listed_paths(const toml::table& table) {
  std::set<std::string> out;
  for (const char* list : {"trusted_files", "allowed_files", "protected_files"}) {
    const auto* array = table["sgx"][list].as_array();
    if (!array) continue;
    for (const auto& entry : *array)
      if (auto path = uri_path(entry)) out.insert(*path);
  }
  return out;
}

std::vector<std::string> trusted_entries_without_hash(const toml::table& table) {
  std::vector<std::string> out;
  const auto* array = table["sgx"]["trusted_files"].as_array();
  if (!array) return out;
  for (const auto& entry : *array) {
    const auto* t = entry.as_table();
    if (t && t->contains("sha256")) continue;
    if (auto path = uri_path(entry)) out.push_back(*path);
  }
  return out;
}

void expand_trusted_entries(toml::table& table,
                            const std::function<std::vector<TrustedEntry>(const std::string& path)>& expand) {
  auto* array = table["sgx"]["trusted_files"].as_array();
  if (!array) return;
  toml::array result;
  for (const auto& entry : *array) {
    const auto* t = entry.as_table();
    const auto path = uri_path(entry);
    if ((t && t->contains("sha256")) || !path) {
      result.push_back(entry);
      continue;
    }
    for (const auto& file : expand(*path))
      result.push_back(toml::table{{"uri", "file:" + file.path}, {"sha256", file.sha256}});
  }
  *array = std::move(result);
}

void add_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries) {
  if (!table["sgx"]) table.insert("sgx", toml::table{});
  auto* sgx = table["sgx"].as_table();
  if (!sgx->contains("trusted_files")) sgx->insert("trusted_files", toml::array{});
  auto* array = (*sgx)["trusted_files"].as_array();
  for (const auto& e : entries) array->push_back(toml::table{{"uri", "file:" + e.path}, {"sha256", e.sha256}});
}

std::vector<std::string> trusted_files_without_hash(const std::string& manifest_text) {
  return trusted_entries_without_hash(parse_manifest(manifest_text, "entrypoint.manifest"));
}

bool allows_all_files(const toml::table& table) {
  return table["sgx"]["file_check_policy"].value_or(std::string()) == "allow_all_but_log";
}

}  // namespace gsc::manifest
