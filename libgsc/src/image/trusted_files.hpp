#pragma once
// The trusted files of an image: every regular file reachable from "/", also through
// symlinked directories (Debian's /lib -> usr/lib lists both), symlinks to files under their
// own path with their target's hash, minus the excluded paths. An exclusion holds for the
// name, for the real path a symlink leads to and for every name of a hard-linked file: no
// link makes an excluded file (/etc/shadow, /var/...) a trusted file.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "image/scan.hpp"

namespace gsc::image {

struct TrustedFile {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
};

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF): what a TOML
// file, and so a Gramine manifest, can carry.
bool valid_utf8(std::string_view s);

// The original GSC's exclusions (anchored regexes), plus the three files Docker rewrites in
// every container (/etc/hosts, /etc/hostname, /etc/resolv.conf): Gramine provides them; and
// /gramine/gsc, what starts the enclave from outside it (never opened inside).
std::vector<std::string> default_exclusions();

struct TrustedFilesOptions {
  std::vector<std::string> exclusions = default_exclusions();
  std::set<std::string> already_listed;  // paths the user's manifest lists itself
};

struct TrustedFiles {
  std::vector<TrustedFile> files;        // sorted by path
  std::vector<std::string> notes;        // skipped names, cycles: one line each
  std::uint64_t bytes = 0;               // sum of the listed files' sizes
};

// Walks the filesystem from "/" (or from `root`, for a user's trusted directory). Input errors,
// one line naming the path: a listed name that is not UTF-8; symlinked directories making a
// path of kMaxPath bytes or more, or more paths (or path bytes) than a budget of 4 times the
// image's own plus a base, which bounds the walk's time and what it keeps. At most 100 notes.
TrustedFiles trusted_files(const Filesystem& fs, const TrustedFilesOptions& options, const std::string& root = "/");

}  // namespace gsc::image
