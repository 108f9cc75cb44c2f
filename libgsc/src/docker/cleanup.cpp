// The registry of what this process created in the daemon, for removal on Ctrl-C.

#include <mutex>
#include <optional>
#include <set>

#include "gsc/docker.hpp"

namespace gsc::docker {
namespace {

struct Registry {
  std::mutex mutex;
  std::set<std::string> containers;
  std::set<std::string> images;
  std::optional<std::set<std::string>> baseline;  // image ids before this run's builds
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_container(const std::string& id) {
  std::lock_guard lock(registry().mutex);
  registry().containers.insert(id);
}

void unregister_container(const std::string& id) {
  std::lock_guard lock(registry().mutex);
  registry().containers.erase(id);
}

void register_image(const std::string& id) {
  std::lock_guard lock(registry().mutex);
  registry().images.insert(id);
}

void unregister_image(const std::string& id) {
  std::lock_guard lock(registry().mutex);
  registry().images.erase(id);
}

void record_image_baseline(Client& client) {
  std::set<std::string> ids;
  for (const auto& image : client.list_images({.all = true})) ids.insert(image.id);
  std::lock_guard lock(registry().mutex);
  if (!registry().baseline) registry().baseline = std::move(ids);
}

void remove_untagged_images_since_baseline(Client& client) noexcept {
  std::set<std::string> baseline;
  {
    std::lock_guard lock(registry().mutex);
    if (!registry().baseline) return;
    baseline = *registry().baseline;
  }
  try {
    // Newest first: a child must go before its parent. Repeat while progress is made.
    for (bool removed = true; removed;) {
      removed = false;
      for (const auto& image : client.list_images({.all = true})) {
        const bool untagged = image.repo_tags.empty() ||
                              (image.repo_tags.size() == 1 && image.repo_tags[0] == "<none>:<none>");
        if (!untagged || baseline.count(image.id)) continue;
        try {
          client.remove_image(image.id, {.force = false, .noprune = false});
          removed = true;
        } catch (...) {
          // In use or has children: left for the next round or for its owner.
        }
      }
    }
  } catch (...) {
  }
}

void remove_registered_resources() noexcept {
  std::set<std::string> containers, images;
  {
    std::lock_guard lock(registry().mutex);
    containers.swap(registry().containers);
    images.swap(registry().images);
  }
  try {
    Client client = Client::from_environment();
    for (const auto& id : containers) {
      try {
        client.remove_container(id, {.force = true, .volumes = true});
      } catch (...) {
      }
    }
    for (const auto& id : images) {
      try {
        client.remove_image(id, {.force = true, .noprune = false});
      } catch (...) {
      }
    }
    remove_untagged_images_since_baseline(client);
  } catch (...) {
  }
}

}  // namespace gsc::docker
