#pragma once
// The trusted files of an image: every regular file reachable from "/", also through
// symlinked directories (Debian's /lib -> usr/lib lists both), symlinks to files under their
// own path with their target's hash, minus the excluded paths.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "image/scan.hpp"

namespace gsc::image {

struct TrustedFile {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
};

// The original GSC's exclusions (anchored regexes), plus the three files Docker rewrites in
// every container (/etc/hosts, /etc/hostname, /etc/resolv.conf): Gramine provides them.
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

// Walks the filesystem from "/" (or from `root`, for a user's trusted directory).
TrustedFiles trusted_files(const Filesystem& fs, const TrustedFilesOptions& options, const std::string& root = "/");

}  // namespace gsc::image
