#include "ops/scan.hpp"

#include "docker/operation.hpp"
#include "image/scan_cache.hpp"
#include "ops/container.hpp"

namespace gsc::ops {

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
    out.result = image::scan(*stream, {.capture = image::is_config_file_of_interest,
                                       .stop = op ? op->stop() : std::stop_token()});
  }
  cache.store(key, out.result);  // also after --no-cache: a fresh scan is what later builds should find
  return out;
}

}  // namespace gsc::ops
