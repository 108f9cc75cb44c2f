#pragma once
// Gramine manifests as gsc builds them: the user's manifest, the distro's entrypoint
// manifest and the image's env, merged by the original GSC's rules, plus the trusted files;
// written deterministically (same table, same bytes).

#include <toml++/toml.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "manifest/app.hpp"

namespace gsc::manifest {

// --- reading (parse.cpp)

// Reads a manifest file; errors name file, line and column. A missing file is an error.
toml::table load_user_manifest(const std::string& path);

// Parses manifest text; `name` is used in messages.
toml::table parse_manifest(const std::string& text, const std::string& name);

// --- merging (merge.cpp)

// Merges `second` into `first` (first wins): tables recursively, arrays concatenated, equal
// values kept; a conflict keeps the first value and adds a warning, except
// loader.env.{LD_LIBRARY_PATH,PATH,LD_PRELOAD}, which are joined with ':' (first's value first)
// when both are strings. loader.env tables ({ value = ... }, { passthrough = true }) stay as they are.
void merge_into(toml::table& first, const toml::table& second, std::vector<std::string>& warnings);

struct Merged {
  toml::table table;
  std::vector<std::string> warnings;  // one line per conflict
};

// `first` and `second` merged as merge_into does, both left untouched.
Merged merge(const toml::table& first, const toml::table& second);

// The image's env as `loader.env.NAME = "value"` entries.
toml::table env_manifest(const std::vector<EnvEntry>& env);

// --- writing (emit.cpp)

// Deterministic TOML text that Gramine's parsers accept: dotted keys in sorted order (byte
// order), inline tables with `uri`/`path` first, arrays inline except top-level arrays holding
// tables, which get one element per line. Strings that are not UTF-8 are an input error.
std::string to_toml_string(const toml::table& table);

// TOML basic string literal (quotes included): `"`, `\` and control characters escaped.
// Not UTF-8: an input error (TOML cannot carry it).
std::string quote(const std::string& value);

// --- trusted files (trusted.cpp)

struct TrustedEntry {
  std::string path;    // "/usr/bin/python3"
  std::string sha256;  // lowercase hex
};

// Paths ("/x", from "file:/x") that the manifest lists in sgx.trusted_files, sgx.allowed_files
// or sgx.protected_files (strings or {uri = ...} tables).
std::set<std::string> listed_paths(const toml::table& table);

// Paths of sgx.trusted_files entries that have no sha256 (strings or tables without it; a
// directory keeps its trailing '/'), in manifest order.
std::vector<std::string> trusted_entries_without_hash(const toml::table& table);

// Resolves a hashless trusted path to the files it stands for (a file: itself; a directory:
// every file under it), each with its hash. Throws when the path names nothing.
using TrustedResolver = std::function<std::vector<TrustedEntry>(const std::string& path)>;

// Replaces each hashless sgx.trusted_files entry by `{ uri, sha256 }` for every file `resolve`
// returns; a path listed twice (also with a hash) is kept once, at its first place.
void expand_trusted_entries(toml::table& table, const TrustedResolver& resolve);

// Appends `{ uri = "file:<path>", sha256 = "<hex>" }` to sgx.trusted_files for each entry whose
// path the manifest does not list yet (trusted, allowed or protected). With
// sgx.file_check_policy = "allow_all_but_log" adds nothing. Returns warnings (one line each).
std::vector<std::string> add_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries);

// Paths of trusted entries without sha256 in manifest text (used before signing).
std::vector<std::string> trusted_files_without_hash(const std::string& manifest_text);

// True when sgx.file_check_policy = "allow_all_but_log" (then no trusted files are listed).
bool allows_all_files(const toml::table& table);

// Appends gsc's own files that Gramine reads (the trusted argv, the hosts file) to
// sgx.trusted_files unless listed, whatever sgx.file_check_policy says: under
// allow_all_but_log they stay trusted.
void add_own_trusted_files(toml::table& table, const std::vector<TrustedEntry>& entries);

// Files gsc writes into /gramine/app_files after the hashing: entrypoint.manifest (the
// manifest itself, which the enclave measures), entrypoint.manifest.sgx, entrypoint.sig,
// trusted_file_sizes.
const std::vector<std::string>& files_gsc_writes_later();

// Removes the user's sgx.trusted_files entries for those files (a file cannot carry its own
// hash); returns one line per entry removed, saying why.
std::vector<std::string> drop_entries_for_later_files(toml::table& table);

// Number of entries of sgx.trusted_files.
std::size_t trusted_entry_count(const toml::table& table);

}  // namespace gsc::manifest
