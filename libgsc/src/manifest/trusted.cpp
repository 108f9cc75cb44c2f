// sgx.trusted_files: what the user lists, expanding hashless entries, adding gsc's own.

#include <algorithm>
#include <optional>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

namespace gsc::manifest {
namespace {

// "/x" of a "file:/x" entry (a string or a { uri = ... } table); nullopt for other URIs.
std::optional<std::string> uri_path(const toml::node& entry) {
  std::optional<std::string> uri;
  if (const auto* s = entry.as_string()) uri = s->get();
  else if (const auto* t = entry.as_table()) uri = (*t)["uri"].value<std::string>();
  if (!uri || uri->rfind("file:", 0) != 0) return std::nullopt;
  return uri->substr(5);
}

bool has_hash(const toml::node& entry) {
  const auto* t = entry.as_table();
  return t && t->contains("sha256");
}

// sgx.<name> as an array; nullptr when absent; an input error when it is something else.
const toml::array* sgx_list(const toml::table& table, const char* name) {
  const toml::node_view<const toml::node> node = table["sgx"][name];
  if (!node) return nullptr;
  if (!node.is_array())
    throw Error(ErrorCategory::input, std::string("`sgx.") + name + "` in the manifest must be an array of "
                                          "\"file:...\" strings or { uri = ... } tables.");
  return node.as_array();
}

// sgx.trusted_files, created empty when absent.
toml::array& trusted_array(toml::table& table) {
  if (!table.contains("sgx")) table.insert("sgx", toml::table{});
  auto* sgx = table["sgx"].as_table();
  if (!sgx) throw Error(ErrorCategory::input, "`sgx` in the manifest must be a table of SGX settings.");
  if (!sgx->contains("trusted_files")) sgx->insert("trusted_files", toml::array{});
  sgx_list(table, "trusted_files");  // type check
  return *(*sgx)["trusted_files"].as_array();
}

toml::table entry_table(const TrustedEntry& e) {
  toml::table t{{"uri", "file:" + e.path}, {"sha256", e.sha256}};
  t.is_inline(true);
  return t;
}

}  // namespace

std::set<std::string> listed_paths(const toml::table& table) {
  std::set<std::string> out;
  for (const char* name : {"trusted_files", "allowed_files", "protected_files"})
    if (const auto* array = sgx_list(table, name))
      for (const auto& entry : *array)
        if (auto path = uri_path(entry)) out.insert(*path);
  return out;
}

std::vector<std::string> trusted_entries_without_hash(const toml::table& table) {
  std::vector<std::string> out;
  if (const auto* array = sgx_list(table, "trusted_files"))
    for (const auto& entry : *array)
      if (auto path = uri_path(entry); path && !has_hash(entry)) out.push_back(*path);
  return out;
}

void expand_trusted_entries(toml::table& table, const TrustedResolver& resolve) {
  if (!sgx_list(table, "trusted_files")) return;
  toml::array& array = trusted_array(table);
  std::set<std::string> seen;
  for (const auto& entry : array)  // entries the user already gave a hash win
    if (auto path = uri_path(entry); path && has_hash(entry)) seen.insert(*path);
  toml::array result;
  for (const auto& entry : array) {
    const auto path = uri_path(entry);
    if (!path || has_hash(entry)) {
      result.push_back(entry);
      continue;
    }
    for (const auto& file : resolve(*path))
      if (seen.insert(file.path).second) result.push_back(entry_table(file));
  }
  array = std::move(result);
}

std::vector<std::string> add_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries) {
  if (allows_all_files(table))
    return {"`sgx.file_check_policy = \"allow_all_but_log\"`: no trusted files are listed. Not for production."};
  std::set<std::string> listed = listed_paths(table);
  toml::array& array = trusted_array(table);
  for (const auto& e : entries)
    if (listed.insert(e.path).second) array.push_back(entry_table(e));
  return {};
}

std::vector<std::string> trusted_files_without_hash(const std::string& manifest_text) {
  return trusted_entries_without_hash(parse_manifest(manifest_text, "entrypoint.manifest"));
}

bool allows_all_files(const toml::table& table) {
  return table["sgx"]["file_check_policy"].value_or(std::string()) == "allow_all_but_log";
}

void add_own_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries) {
  std::set<std::string> listed;
  if (const auto* array = sgx_list(table, "trusted_files"))
    for (const auto& entry : *array)
      if (auto path = uri_path(entry)) listed.insert(*path);
  toml::array& array = trusted_array(table);
  for (const auto& e : entries)
    if (listed.insert(e.path).second) array.push_back(entry_table(e));
}

const std::vector<std::string>& files_gsc_writes_later() {
  static const std::vector<std::string> files{
      "/gramine/app_files/entrypoint.manifest", "/gramine/app_files/entrypoint.manifest.sgx",
      "/gramine/app_files/entrypoint.sig", "/gramine/app_files/trusted_file_sizes",
      "/gramine/app_files/trusted_argv"};
  return files;
}

std::vector<std::string> drop_entries_for_later_files(toml::table& table) {
  std::vector<std::string> lines;
  if (!sgx_list(table, "trusted_files")) return lines;
  const auto& later = files_gsc_writes_later();
  toml::array& array = trusted_array(table);
  toml::array kept;
  for (const auto& entry : array) {
    const auto path = uri_path(entry);
    if (!path || std::find(later.begin(), later.end(), *path) == later.end()) {
      kept.push_back(entry);
      continue;
    }
    const std::string why =
        *path == later[0]   ? "gsc writes it after hashing: it is this manifest, which the enclave measures as a whole"
        : *path == later[3] ? "gsc writes it after hashing; it only records sizes for `gsc diff-image`, and the app "
                              "never reads it"
        : *path == later[4] ? "gsc's images have no such file: gsc measures the app's argv as `loader.argv` in the "
                              "manifest instead"
                            : "sign-image writes it from this manifest";
    lines.push_back("Your manifest lists `file:" + *path + "` in sgx.trusted_files, which gsc leaves out: " + why +
                    ".");
  }
  array = std::move(kept);
  return lines;
}

std::size_t trusted_entry_count(const toml::table& table) {
  const auto* array = sgx_list(table, "trusted_files");
  return array ? array->size() : 0;
}

}  // namespace gsc::manifest
