#include "ops/scan.hpp"

#include <algorithm>

#include "docker/operation.hpp"
#include "image/scan_cache.hpp"
#include "ops/container.hpp"

namespace gsc::ops {
namespace {

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

// "hashed 1204 files, 310 MiB of about 512 MiB"
std::string progress_line(std::uint64_t files, std::uint64_t bytes, std::uint64_t total, bool finished) {
  std::string line = (finished ? "hashed " : "hashing: ") + std::to_string(files) + " files, " + mib(bytes);
  if (!finished && total > bytes) line += " of about " + mib(total);
  return line;
}

}  // namespace

ImageScan scan_image(docker::Client& client, const ScanRequest& request) {
  const image::ScanCache cache(request.cache_dir.empty() ? image::ScanCache::default_directory() : request.cache_dir);
  // What a scan keeps beyond hashes is part of the key: a new capture list is a new entry.
  const std::string key = std::string("scan:") + image::kCaptureProfile + ":" + request.image_id;
  ImageScan out;
  if (request.use_cache == UseCache::yes) {
    if (auto cached = cache.load(key)) {
      out.result = std::move(*cached);
      out.from_cache = true;
      return out;
    }
  }
  {
    EphemeralContainer container(client, {.image = request.image_id, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
    auto stream = client.export_container(container.id());
    const docker::Operation* op = docker::current_operation();
    image::ScanOptions options{.capture = image::is_config_file_of_interest};
    options.stop = op ? op->stop() : std::stop_token();
    if (request.progress) {
      options.on_progress = [&](std::uint64_t files, std::uint64_t bytes, bool finished) {
        ProgressEvent e{ProgressEvent::Kind::progress, progress_line(files, bytes, request.bytes_total, finished)};
        e.files_done = files;
        e.bytes_done = bytes;
        e.bytes_total = finished ? bytes : std::max(request.bytes_total, bytes);
        e.finished = finished;
        request.progress(e);
      };
    }
    out.result = image::scan(*stream, options);
  }
  cache.store(key, out.result);  // also after --no-cache: a fresh scan is what later builds should find
  return out;
}

}  // namespace gsc::ops
