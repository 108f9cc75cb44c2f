#include "ops/container.hpp"

#include "docker/operation.hpp"
#include "gsc/error.hpp"
#include "tar/reader.hpp"

namespace gsc::ops {

EphemeralContainer::EphemeralContainer(docker::Client& client, docker::ContainerCreateOptions options)
    : client_(client), op_(docker::current_operation()) {
  options.labels["gsc.tool"] = "gsc";
  id_ = client_.create_container(options).id;  // within an operation: labelled, recorded
}

EphemeralContainer::~EphemeralContainer() {
  const docker::CleanupScope deadline;  // also after a stop request, never for ever
  try {
    client_.remove_container(id_, docker::ContainerRemoveOptions{.force = true, .volumes = true});
    if (op_) op_->removed_container(id_);
  } catch (...) {
    // Left recorded: the operation's cleanup tries again, prune() after a crash.
  }
}

OwnedImage::OwnedImage(docker::Client& client, std::string id)
    : client_(client), id_(std::move(id)), op_(docker::current_operation()) {}

void OwnedImage::keep() {
  kept_ = true;
  if (op_) op_->keep_image(id_);
}

OwnedImage::~OwnedImage() {
  // Only an image this operation made: one the build cache gave may be another's.
  if (kept_ || !op_ || !op_->did_create_image(id_)) return;
  const docker::CleanupScope deadline;
  try {
    client_.remove_image(id_, docker::ImageRemoveOptions{.force = false, .noprune = false});
  } catch (...) {
  }
}

std::optional<docker::ImageInspect> find_image(docker::Client& client, const std::string& name) {
  try {
    return client.inspect_image(name);
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::not_found) return std::nullopt;
    throw;
  }
}

std::string image_id_of(docker::Client& client, const std::string& name) {
  const auto image = find_image(client, name);
  return image ? image->id : std::string();
}

void remove_if_orphaned(docker::Client& client, const std::string& previous, const std::string& current) noexcept {
  if (previous.empty() || previous == current) return;
  try {
    const auto image = find_image(client, previous);
    if (!image || !image->repo_tags.empty()) return;
    client.remove_image(previous, {.force = false, .noprune = false});
  } catch (...) {
    // In use by a container or a parent of another image: it stays, as docker would leave it.
  }
}

// The archive API returns a symlink as a symlink: follow it (at most 16 hops) by asking again.
std::optional<std::string> read_container_file(docker::Client& client, const std::string& container,
                                               const std::string& requested, std::uint64_t max_bytes) {
  std::string path = requested;
  for (int hop = 0; hop < 16; ++hop) {
    std::unique_ptr<ByteSource> body;
    try {
      body = client.get_archive(container, path);
    } catch (const Error& e) {
      if (e.category() == ErrorCategory::not_found) return std::nullopt;
      throw;
    }
    tar::Reader reader(*body);
    auto entry = reader.next();
    if (!entry) return std::nullopt;
    if (entry->type == tar::EntryType::symlink) {
      const std::string& target = entry->link_target;
      if (!target.empty() && target.front() == '/') {
        path = target;
      } else {
        path = path.substr(0, path.rfind('/') + 1) + target;
      }
      continue;
    }
    if (entry->type != tar::EntryType::file) return std::nullopt;
    if (entry->size > max_bytes)
      throw Error(ErrorCategory::input, "`" + requested + "` in the image has " + std::to_string(entry->size) +
                                            " bytes, more than gsc reads of it (" + std::to_string(max_bytes) + ").");
    return reader.read_all();
  }
  throw Error(ErrorCategory::input, "`" + path + "` in the image is a symlink loop.");
}

std::vector<std::optional<std::string>> read_image_files(docker::Client& client, const std::string& image,
                                                         const std::vector<FileRequest>& files) {
  // Never started: the command only has to exist for the daemon to accept the container.
  EphemeralContainer container(client, docker::ContainerCreateOptions{
                                           .image = image, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
  std::vector<std::optional<std::string>> out;
  out.reserve(files.size());
  for (const auto& file : files) out.push_back(read_container_file(client, container.id(), file.path, file.max_bytes));
  return out;
}

std::vector<std::optional<std::string>> read_image_files(docker::Client& client, const std::string& image,
                                                         const std::vector<std::string>& paths, std::uint64_t max_bytes) {
  std::vector<FileRequest> files;
  for (const auto& path : paths) files.push_back({path, max_bytes});
  return read_image_files(client, image, files);
}

std::optional<std::string> read_image_file(docker::Client& client, const std::string& image,
                                           const std::string& path, std::uint64_t max_bytes) {
  return read_image_files(client, image, {path}, max_bytes).front();
}

}  // namespace gsc::ops
