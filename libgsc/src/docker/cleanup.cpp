// The registry of what this process created in the daemon, for removal on Ctrl-C.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "gsc/docker.hpp"

namespace gsc::docker {
namespace {

struct Registry {
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;       // creations between begin_creation() and end_creation()
  bool closing = false;    // set by remove_registered_resources(): no new creations
  std::set<std::string> containers;
  std::set<std::string> images;
  std::optional<std::set<std::string>> baseline;  // image ids before this run's builds
  std::set<std::string> build_roots;               // the images (ids or names) builds start FROM
  std::map<std::size_t, std::function<void()>> aborts;  // requests in progress (builds)
  std::size_t next_abort = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

bool begin_creation() {
  std::lock_guard lock(registry().mutex);
  if (registry().closing) return false;
  ++registry().in_flight;
  return true;
}

void end_creation() {
  std::lock_guard lock(registry().mutex);
  --registry().in_flight;
  registry().idle.notify_all();
}

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

void record_image_baseline(Client& client, const std::string& build_root) {
  std::set<std::string> ids;
  for (const auto& image : client.list_images({.all = true})) ids.insert(image.id);
  std::lock_guard lock(registry().mutex);
  if (!registry().baseline) registry().baseline = std::move(ids);
  if (!build_root.empty()) registry().build_roots.insert(build_root);
}

AbortRegistration::AbortRegistration(std::function<void()> abort) {
  std::lock_guard lock(registry().mutex);
  token_ = registry().next_abort++;
  registry().aborts.emplace(token_, std::move(abort));
}

AbortRegistration::~AbortRegistration() {
  std::lock_guard lock(registry().mutex);
  registry().aborts.erase(token_);
}

namespace {

// Removes the untagged images since the baseline that descend from a build root; returns how
// many such images remain (in use, or appeared meanwhile).
std::size_t remove_untagged_since_baseline(Client& client, const std::string& keep_ancestors_of = "") noexcept {
  std::set<std::string> baseline;
  std::set<std::string> references, roots;
  {
    std::lock_guard lock(registry().mutex);
    if (!registry().baseline) return 0;
    baseline = *registry().baseline;
    references = registry().build_roots;
  }
  std::size_t remaining = 0;
  try {
    for (const auto& reference : references) {
      try {
        roots.insert(client.inspect_image(reference).id);
      } catch (...) {
        // A name never pulled: nothing was built on it.
      }
    }
    // A child must go before its parent: repeat while progress is made.
    for (bool removed = true; removed;) {
      removed = false;
      remaining = 0;
      const auto images = client.list_images({.all = true});
      std::map<std::string, std::string> parent_of;
      for (const auto& image : images) parent_of[image.id] = image.parent;
      auto descends_from_root = [&](std::string id) {
        for (int depth = 0; depth < 1000 && !id.empty(); ++depth) {
          if (roots.count(id)) return true;
          const auto it = parent_of.find(id);
          if (it == parent_of.end()) return false;
          id = it->second;
        }
        return false;
      };
      std::set<std::string> kept;
      for (std::string id = keep_ancestors_of; !id.empty() && kept.insert(id).second;) {
        const auto it = parent_of.find(id);
        id = it == parent_of.end() ? std::string() : it->second;
      }
      for (const auto& image : images) {
        if (kept.count(image.id)) continue;
        const bool untagged = image.repo_tags.empty() ||
                              (image.repo_tags.size() == 1 && image.repo_tags[0] == "<none>:<none>");
        if (!untagged || baseline.count(image.id) || !descends_from_root(image.id)) continue;
        try {
          client.remove_image(image.id, {.force = false, .noprune = false});
          removed = true;
        } catch (...) {
          ++remaining;  // in use or has children: left for the next round
        }
      }
    }
  } catch (...) {
  }
  return remaining;
}

}  // namespace

void remove_untagged_images_since_baseline(Client& client, const std::string& keep_ancestors_of) noexcept {
  remove_untagged_since_baseline(client, keep_ancestors_of);
}

void remove_registered_resources() noexcept {
  std::set<std::string> containers, images;
  bool aborted_builds = false;
  {
    std::unique_lock lock(registry().mutex);
    registry().closing = true;
    // A creation the daemon may already have done is registered within moments: wait for it.
    registry().idle.wait_for(lock, std::chrono::seconds(30), [] { return registry().in_flight == 0; });
    containers.swap(registry().containers);
    images.swap(registry().images);
    // Builds first: the daemon cancels a build whose client is gone, and a build that went
    // on would commit images after the removal below.
    aborted_builds = !registry().aborts.empty();
    for (auto& [token, abort] : registry().aborts) abort();
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
    // A cancelled build may still commit the step it was in, and its step container (removed
    // above, or by the daemon) holds the step's image: repeat until none is left, at most 10 s.
    int clean_rounds = 0;
    for (int round = 0; round < 40; ++round) {
      clean_rounds = remove_untagged_since_baseline(client) == 0 ? clean_rounds + 1 : 0;
      if (!aborted_builds || clean_rounds == 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  } catch (...) {
  }
}

}  // namespace gsc::docker
