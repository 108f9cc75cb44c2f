// The registry of what this process created in the daemon, for removal on Ctrl-C.

#include <mutex>
#include <set>

#include "gsc/docker.hpp"

namespace gsc::docker {
namespace {

struct Registry {
  std::mutex mutex;
  std::set<std::string> containers;
  std::set<std::string> images;
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
  } catch (...) {
  }
}

}  // namespace gsc::docker
