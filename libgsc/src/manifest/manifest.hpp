#pragma once
// Gramine manifests as gsc builds them: the user's manifest, the distro's entrypoint
// manifest and the image's env, merged by the original GSC's rules, plus the trusted files;
// written deterministically (same table, same bytes).

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gsc::manifest {

// Reads a manifest file; errors name file, line and column. A missing file is an error.
toml::table load_user_manifest(const std::string& path);

// Parses manifest text; `name` is used in messages.
toml::table parse_manifest(const std::string& text, const std::string& name);

// Merges `second` into `first` (first wins): tables recursively, arrays concatenated, equal
// values kept; a conflict keeps the first value and adds a warning, except
// loader.env.{LD_LIBRARY_PATH,PATH,LD_PRELOAD}, which are joined with ':' (first's value first).
void merge_into(toml::table& first, const toml::table& second, std::vector<std::string>& warnings,
                const std::string& prefix = "");

// Deterministic TOML text: top-level dotted keys in sorted order, arrays inline (arrays of
// tables one element per line), inline tables with `uri`/`path` first.
std::string to_toml_string(const toml::table& table);

// TOML basic string literal (quotes included) for any bytes.
std::string quote(const std::string& value);

// Paths ("/x", from "file:/x") that the manifest lists in sgx.trusted_files, sgx.allowed_files
// or sgx.protected_files (strings or {uri = ...} tables).
std::set<std::string> listed_paths(const toml::table& table);

// Entries of sgx.trusted_files that have no sha256 (strings or tables without it), as paths.
std::vector<std::string> trusted_entries_without_hash(const toml::table& table);

struct TrustedEntry {
  std::string path;
  std::string sha256;
};

// Replaces each hashless sgx.trusted_files entry by the files `expand` returns for its path
// (a file: itself; a directory: every file under it), each with its hash.
void expand_trusted_entries(toml::table& table,
                            const std::function<std::vector<TrustedEntry>(const std::string& path)>& expand);

// Appends `{ uri = "file:<path>", sha256 = "<hex>" }` for each entry to sgx.trusted_files.
void add_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries);

// Paths of trusted entries without sha256 in manifest text (used before signing).
std::vector<std::string> trusted_files_without_hash(const std::string& manifest_text);

// True when sgx.file_check_policy = "allow_all_but_log" (then no trusted files are listed).
bool allows_all_files(const toml::table& table);

}  // namespace gsc::manifest
