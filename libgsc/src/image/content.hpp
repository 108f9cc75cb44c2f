#pragma once
// What the image holds at the places gsc reports on (its directories under /var, /run, /tmp,
// its VOLUMEs): facts for manifest/places, read from the scanned filesystem.

#include <cstddef>
#include <string>
#include <vector>

#include "image/scan.hpp"

namespace gsc::image {

// Regular files below `dir` (following `dir` itself if it is a link, not links below it);
// 0 when it does not exist.
std::size_t count_files(const Filesystem& fs, const std::string& dir);

// Whether `path` exists in the image (following links).
bool exists(const Filesystem& fs, const std::string& path);

// /var/www and every directory /var/{lib,log,cache,spool,opt}/NAME of the image, sorted.
std::vector<std::string> var_dirs(const Filesystem& fs);

}  // namespace gsc::image
