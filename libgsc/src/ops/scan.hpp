#pragma once
// One streaming pass over an image's files (export of a created, never started container),
// or its result from the host's scan cache when the same image was scanned before.

#include <string>

#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "image/scan.hpp"

namespace gsc::ops {

struct ScanRequest {
  std::string image_id;               // sha256:...: the cache key (the daemon derives it from the content)
  UseCache use_cache = UseCache::yes; // no: scan anew (the fresh result still replaces the cached one)
  std::string cache_dir;              // "" = image::ScanCache::default_directory()
  ProgressFn progress;                // Kind::progress events while exporting and hashing
  std::uint64_t bytes_total = 0;      // the image's size, for those events (0 = unknown)
};

struct ImageScan {
  image::ScanResult result;
  bool from_cache = false;
};

// Every file's type, size and SHA-256 (and the contents of image::is_config_file_of_interest).
ImageScan scan_image(docker::Client& client, const ScanRequest& request);

}  // namespace gsc::ops
