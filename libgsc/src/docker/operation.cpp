// One operation's hold on the daemon (see operation.hpp).

#include "docker/operation.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <random>
#include <thread>

#include "gsc/error.hpp"

namespace gsc::docker {
namespace {

thread_local Operation* t_operation = nullptr;
thread_local std::stop_token t_request_stop;

std::string random_id() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> digit(0, 15);
  std::string out;
  for (int i = 0; i < 16; ++i) out += "0123456789abcdef"[digit(device)];
  return out;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

bool untagged(const ImageSummary& image) {
  return image.repo_tags.empty() || (image.repo_tags.size() == 1 && image.repo_tags[0] == "<none>:<none>");
}

std::string step_value_of(const ImageSummary& image) {
  const auto it = image.labels.find(kStepLabel);
  return it == image.labels.end() ? std::string() : it->second;
}

}  // namespace

std::string step_label_value(const std::string& kind, const std::string& from) {
  const std::string input = kind + '\0' + from;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out = kind + "-";
  for (unsigned i = 0; i < 8; ++i) {
    out += "0123456789abcdef"[digest[i] >> 4];
    out += "0123456789abcdef"[digest[i] & 15];
  }
  return out;
}

bool named(const std::vector<std::string>& repo_tags) {
  const std::string owned = std::string(kOwnedRepository) + "/";
  return std::any_of(repo_tags.begin(), repo_tags.end(), [&](const std::string& tag) {
    return tag != "<none>:<none>" && tag.rfind(owned, 0) != 0;
  });
}

ImageGraph::ImageGraph(std::vector<ImageSummary> images) : images_(std::move(images)) {
  for (std::size_t i = 0; i < images_.size(); ++i) {
    index_[images_[i].id] = i;
    if (!images_[i].parent.empty()) parents_.insert(images_[i].parent);
  }
}

const ImageSummary* ImageGraph::find(const std::string& id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? nullptr : &images_[it->second];
}

std::vector<std::string> ImageGraph::lineage(const std::string& id) const {
  std::vector<std::string> out;
  for (std::string at = id; !at.empty() && out.size() < 1000;) {
    out.push_back(at);
    const ImageSummary* image = find(at);
    at = image ? image->parent : std::string();
  }
  return out;
}

std::optional<std::string> ImageGraph::step_origin(const std::string& id) const {
  const ImageSummary* image = find(id);
  const std::string value = image ? step_value_of(*image) : std::string();
  if (value.empty()) return std::nullopt;
  for (int depth = 0; depth < 1000 && image; ++depth) {
    if (step_value_of(*image) != value) return image->id;  // the build's FROM
    // A named image with the value is a gsc result; one without a (listed) parent was pulled or
    // loaded, never a step of a build here.
    if (named(image->repo_tags) || image->parent.empty()) return std::nullopt;
    image = find(image->parent);
  }
  return std::nullopt;
}

std::string owner_label_value() { return std::to_string(::getpid()) + "@" + host_name(); }

std::string host_slug() {
  std::string out;
  for (char c : host_name()) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
  }
  return out.empty() ? "localhost" : out.substr(0, 64);
}

// --- deadlines and the thread's current operation

struct CleanupScope::Timer {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::thread thread;
};

CleanupScope::CleanupScope(std::chrono::milliseconds deadline)
    : previous_(t_request_stop), timer_(std::make_unique<Timer>()) {
  t_request_stop = source_.get_token();
  timer_->thread = std::thread([timer = timer_.get(), source = source_, deadline]() mutable {
    std::unique_lock lock(timer->mutex);
    if (!timer->cv.wait_for(lock, deadline, [timer] { return timer->done; })) source.request_stop();
  });
}

CleanupScope::~CleanupScope() {
  {
    std::lock_guard lock(timer_->mutex);
    timer_->done = true;
  }
  timer_->cv.notify_all();
  timer_->thread.join();
  t_request_stop = previous_;
}

Operation* current_operation() { return t_operation; }

std::string step_label_for(const std::string& kind, const std::string& from) {
  return t_operation ? t_operation->step_label(kind, from) : step_label_value(kind, from);
}

std::stop_token current_request_stop() { return t_request_stop; }

OperationScope::OperationScope(Operation* op) : previous_(t_operation), previous_stop_(t_request_stop) {
  t_operation = op;
  t_request_stop = op ? op->stop() : std::stop_token();
}

OperationScope::~OperationScope() {
  t_operation = previous_;
  t_request_stop = previous_stop_;
}

// --- the operation

Operation::Operation(Client& client, std::stop_token stop)
    : client_(client), stop_(std::move(stop)), id_(random_id()) {}

Operation::~Operation() { release_holds(); }

void Operation::throw_if_stopped() const {
  if (stop_.stop_requested()) throw Error(ErrorCategory::cancelled, "Cancelled on request.");
}

std::map<std::string, std::string> Operation::labels() const {
  return {{kOwnerLabel, owner_label_value()}, {kOperationLabel, id_}};
}

void Operation::created_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  containers_.insert(id);
}

void Operation::removed_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  containers_.erase(id);
}

void Operation::created_image(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (std::find(images_.begin(), images_.end(), id) == images_.end()) images_.push_back(id);
}

bool Operation::did_create_image(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return std::find(images_.begin(), images_.end(), id) != images_.end();
}

void Operation::keep_image(const std::string& id) {
  std::lock_guard lock(mutex_);
  kept_.insert(id);
}

void Operation::build_root(const std::string& root) {
  std::lock_guard lock(mutex_);
  roots_.insert(root);
}

std::string Operation::step_label(const std::string& kind, const std::string& from) {
  std::string value = step_label_value(kind, from);
  std::lock_guard lock(mutex_);
  step_labels_.insert(value);
  return value;
}

void Operation::hold_roots() {
  std::vector<std::string> pending;
  {
    std::lock_guard lock(mutex_);
    for (const auto& root : roots_)
      if (!roots_held_.count(root)) pending.push_back(root);
  }
  for (const auto& root : pending) {
    ImageInspect image;
    try {
      image = client_.inspect_image(root);
    } catch (const Error& e) {
      if (e.category() == ErrorCategory::not_found) continue;  // the build pulls it: after the build
      throw;
    }
    bool already = false;
    {
      std::lock_guard lock(mutex_);
      roots_held_.insert(root);
      already = held_ids_.count(image.id) > 0;
    }
    // An image known by its id alone is not held: releasing the hold would remove it.
    if (!already && (named(image.repo_tags) || did_create_image(image.id))) hold(image.id, !did_create_image(image.id));
  }
}

void Operation::before_build() {
  bool recorded = false;
  {
    std::lock_guard lock(mutex_);
    recorded = baseline_recorded_;
  }
  if (!recorded) {  // only where a build follows: what existed before it is never this operation's
    std::set<std::string> ids;
    for (const auto& image : client_.list_images({.all = true})) ids.insert(image.id);
    std::lock_guard lock(mutex_);
    if (!baseline_recorded_) baseline_ = std::move(ids);
    baseline_recorded_ = true;
  }
  hold_roots();
}

void Operation::after_build(const std::string& image_id) {
  bool existed = false;
  {
    std::lock_guard lock(mutex_);
    existed = baseline_.count(image_id) > 0;
  }
  if (!existed && !image_id.empty()) created_image(image_id);
  hold_roots();  // those the build pulled
}

void Operation::build_tags(const std::vector<std::string>& tags) {
  for (const auto& tag : tags) {
    std::string previous;
    try {
      previous = client_.inspect_image(tag).id;
    } catch (const Error& e) {
      if (e.category() != ErrorCategory::not_found) throw;
    }
    std::lock_guard lock(mutex_);
    tags_.emplace(tag, previous);
  }
}

void Operation::build_cut() {
  std::lock_guard lock(mutex_);
  cut_ = true;
}

void Operation::hold_image(const std::string& id) { hold(id, false); }

void Operation::hold(const std::string& id, bool root) {
  std::string tag;
  {
    std::lock_guard lock(mutex_);
    if (!held_ids_.insert(id).second) return;
    tag = id_ + "-" + std::to_string(next_hold_++);
  }
  const std::string repository = std::string(kOwnedRepository) + "/" + host_slug() + "-" + std::to_string(::getpid());
  try {
    client_.tag_image(id, repository, tag);
  } catch (...) {
    std::lock_guard lock(mutex_);
    held_ids_.erase(id);
    throw;
  }
  std::lock_guard lock(mutex_);
  holds_.push_back({repository + ":" + tag, root});
}

void Operation::release_holds() noexcept {
  std::vector<Hold> holds;
  {
    std::lock_guard lock(mutex_);
    holds.swap(holds_);
    held_ids_.clear();
  }
  if (holds.empty()) return;
  try {
    CleanupScope deadline;
    for (const auto& hold : holds) {
      try {
        // A root that lost its other names meanwhile (the user moved them) keeps the hold: removing
        // its last name would remove the image, which Docker would have left. prune() removes it
        // once this process has ended.
        if (hold.root && !named(client_.inspect_image(hold.reference).repo_tags)) continue;
        // Only the tag goes when something else refers to the image; else the image (unused) too.
        client_.remove_image(hold.reference, {.force = false, .noprune = false});
      } catch (...) {
      }
    }
  } catch (...) {  // no thread for the deadline
  }
}

std::size_t Operation::remove_step_images(const std::string& keep_ancestors_of) noexcept {
  std::set<std::string> baseline, references, kept, labels, own_holds;
  {
    std::lock_guard lock(mutex_);
    if (!baseline_recorded_) return 0;
    baseline = baseline_;
    references = roots_;
    kept = kept_;
    labels = step_labels_;
    for (const auto& hold : holds_) own_holds.insert(hold.reference);
  }
  std::size_t remaining = 0;
  try {
    std::set<std::string> roots;
    for (const auto& reference : references) {
      try {
        roots.insert(client_.inspect_image(reference).id);
      } catch (...) {  // a name never pulled: nothing was built on it
      }
    }
    // A child goes before its parent: repeat while progress is made.
    for (bool removed = true; removed;) {
      removed = false;
      remaining = 0;
      const ImageGraph graph(client_.list_images({.all = true}));
      // Images another gsc operation holds (this process's or another's): it builds on them.
      const std::string owned = std::string(kOwnedRepository) + "/";
      std::set<std::string> held_by_others;
      for (const auto& image : graph.images())
        for (const auto& tag : image.repo_tags)
          if (tag.rfind(owned, 0) == 0 && !own_holds.count(tag)) held_by_others.insert(image.id);
      // A step image of this operation: it came after the baseline, carries one of its
      // gsc.build values from a build FROM an image that is not a gsc result (step_origin), and
      // descends from a root of its builds, possibly through cached steps of earlier builds.
      // Not when another operation holds an image from it up to that FROM: the same steps (the
      // build cache shares them) may be that operation's build under way.
      auto ours = [&](const ImageSummary& image) {
        const auto label = image.labels.find(kStepLabel);
        if (label == image.labels.end() || !labels.count(label->second)) return false;
        const auto origin = graph.step_origin(image.id);
        if (!origin) return false;
        bool from_root = false, up_to_origin = true;
        for (const auto& id : graph.lineage(image.id)) {
          if (up_to_origin && held_by_others.count(id)) return false;
          up_to_origin = up_to_origin && id != *origin;
          from_root = from_root || roots.count(id) > 0;
        }
        return from_root;
      };
      std::set<std::string> keep;
      for (const std::string& start : kept)
        for (const auto& id : graph.lineage(start)) keep.insert(id);
      if (!keep_ancestors_of.empty())
        for (const auto& id : graph.lineage(keep_ancestors_of)) keep.insert(id);
      for (const auto& image : graph.images()) {
        if (keep.count(image.id) || !untagged(image) || baseline.count(image.id) || roots.count(image.id) ||
            !ours(image))
          continue;
        try {
          client_.remove_image(image.id, {.force = false, .noprune = false});
          removed = true;
        } catch (...) {
          ++remaining;  // in use, or a parent: left for the next round
        }
      }
    }
  } catch (...) {
  }
  return remaining;
}

// A build whose connection was cut may still finish in the daemon and tag its result: a name
// this operation's builds tag that now points to an image made since the baseline, FROM one of
// its roots, is that result. Only the name goes (and the image, unless something else uses it).
void Operation::remove_late_tags() noexcept {
  std::map<std::string, std::string> tags;
  std::set<std::string> baseline, references;
  {
    std::lock_guard lock(mutex_);
    tags = tags_;
    baseline = baseline_;
    references = roots_;
  }
  for (const auto& [tag, previous] : tags) {
    try {
      const ImageInspect image = client_.inspect_image(tag);
      if (baseline.count(image.id)) continue;  // the name's image from before (or the build cache's)
      std::set<std::string> roots;
      for (const auto& reference : references) {
        try {
          roots.insert(client_.inspect_image(reference).id);
        } catch (...) {
        }
      }
      bool ours = false;
      std::string at = image.parent;
      for (int depth = 0; depth < 1000 && !at.empty() && !ours; ++depth) {
        if (roots.count(at)) ours = true;
        else at = client_.inspect_image(at).parent;
      }
      if (!ours) continue;
      client_.remove_image(tag, {.force = false, .noprune = false});
      if (!previous.empty()) {  // the name goes back to the image it named before
        const auto colon = tag.rfind(':');
        const bool has_tag = colon != std::string::npos && tag.find('/', colon) == std::string::npos;
        client_.tag_image(previous, has_tag ? tag.substr(0, colon) : tag, has_tag ? tag.substr(colon + 1) : "latest");
      }
    } catch (...) {  // no such name (the build never got there), or in use
    }
  }
}

void Operation::remove_build_leftovers(const std::string& keep_ancestors_of) noexcept {
  CleanupScope deadline;
  remove_step_images(keep_ancestors_of);
}

void Operation::cleanup() noexcept {
  std::set<std::string> containers;
  std::vector<std::string> images;
  std::set<std::string> kept;
  bool cut = false;
  {
    std::lock_guard lock(mutex_);
    containers.swap(containers_);
    images = images_;
    kept = kept_;
    cut = cut_;
  }
  CleanupScope deadline(std::chrono::seconds(30));
  try {
    // The containers it created: the ones the daemon answered for, and any whose answer was
    // cut off (found by this operation's label).
    try {
      for (const auto& c : client_.list_containers({.all = true, .labels = {std::string(kOperationLabel) + "=" + id_}}))
        containers.insert(c.id);
    } catch (...) {
    }
    for (const auto& id : containers) {
      try {
        client_.remove_container(id, {.force = true, .volumes = true});
      } catch (...) {
      }
    }
    for (auto it = images.rbegin(); it != images.rend(); ++it) {
      if (kept.count(*it)) continue;
      try {
        client_.remove_image(*it, {.force = false, .noprune = false});
      } catch (...) {
      }
    }
    // A cut-off build may still commit the step it was in (the daemon removes that step's
    // container itself): then repeat until three rounds find nothing, for at most 10 s.
    int clean_rounds = 0;
    for (int round = 0; round < 40; ++round) {
      if (cut) remove_late_tags();
      clean_rounds = remove_step_images("") == 0 ? clean_rounds + 1 : 0;
      if (!cut || clean_rounds == 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  } catch (...) {
  }
  release_holds();
}

}  // namespace gsc::docker
