#pragma once
// Ephemeral containers and images of one gsc run: created, used, and removed on every path
// (success, exception, cancellation: the operation's record of what it created).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gsc/docker.hpp"

namespace gsc::docker {
class Operation;
}

namespace gsc::ops {

// A container created (never started unless asked) from an image; removed on destruction.
class EphemeralContainer {
 public:
  EphemeralContainer(docker::Client& client, docker::ContainerCreateOptions options);
  ~EphemeralContainer();
  EphemeralContainer(const EphemeralContainer&) = delete;
  EphemeralContainer& operator=(const EphemeralContainer&) = delete;

  const std::string& id() const { return id_; }

 private:
  docker::Client& client_;
  docker::Operation* op_;
  std::string id_;
};

// An image this run built; removed on destruction unless kept (the run succeeded), and only
// when the operation made it (not an image the build cache gave, which may be another's).
class OwnedImage {
 public:
  OwnedImage(docker::Client& client, std::string id);
  ~OwnedImage();
  OwnedImage(const OwnedImage&) = delete;
  OwnedImage& operator=(const OwnedImage&) = delete;

  const std::string& id() const { return id_; }
  void keep();

 private:
  docker::Client& client_;
  std::string id_;
  docker::Operation* op_;
  bool kept_ = false;
};

// The most gsc reads of one file of an image into memory unless a caller says less: the image
// controls the file, and gsc's own files are far smaller.
inline constexpr std::uint64_t kMaxImageFile = 256ull << 20;

// The bytes of one regular file of an image, read through the archive API of a created,
// never started container (works for images without a shell). Follows symlinks inside the
// image. std::nullopt when the path does not exist; a file larger than `max_bytes` is an input
// error naming it.
std::optional<std::string> read_image_file(docker::Client& client, const std::string& image,
                                           const std::string& path, std::uint64_t max_bytes = kMaxImageFile);

// Reads several files in one container; missing ones are std::nullopt.
std::vector<std::optional<std::string>> read_image_files(docker::Client& client, const std::string& image,
                                                         const std::vector<std::string>& paths,
                                                         std::uint64_t max_bytes = kMaxImageFile);

// A file to read and the most bytes it may have (more is an input error naming it).
struct FileRequest {
  std::string path;
  std::uint64_t max_bytes = kMaxImageFile;
};
std::vector<std::optional<std::string>> read_image_files(docker::Client& client, const std::string& image,
                                                         const std::vector<FileRequest>& files);

// One file of a container (created, not necessarily started), following symlinks.
std::optional<std::string> read_container_file(docker::Client& client, const std::string& container,
                                               const std::string& path, std::uint64_t max_bytes = kMaxImageFile);

// The id an image name points to now, "" when none.
std::string image_id_of(docker::Client& client, const std::string& name);

// After `name` moved from image `previous` to `current`: removes `previous` if nothing refers
// to it any more (no tag, no child), so rebuilding leaves no untagged image behind.
void remove_if_orphaned(docker::Client& client, const std::string& previous, const std::string& current) noexcept;

// Inspects an image; std::nullopt when the daemon does not know it.
std::optional<docker::ImageInspect> find_image(docker::Client& client, const std::string& name);

}  // namespace gsc::ops
