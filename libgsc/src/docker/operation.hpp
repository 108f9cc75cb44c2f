#pragma once
// One operation's hold on the daemon: its stop token, and what it created there (containers
// from the create answers, images from build results and loads, each build's own step
// images), so that a failure or a cancellation removes exactly that, through the caller's
// client. Nothing here is process-wide: two operations in one process never see each other.
//
// The operation running on a thread is found with current_operation(); Client requests made
// on that thread are interrupted (their connection shut down) when it is stopped. Removal
// requests run under a CleanupScope instead: a deadline of their own, so a stopped operation
// can still clean up, and a wedged daemon cannot hang it.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "gsc/docker.hpp"

namespace gsc::docker {

// Labels of every container gsc creates within an operation.
inline constexpr const char* kOwnerLabel = "gsc.owner";          // "PID@HOST" of the gsc process
inline constexpr const char* kOperationLabel = "gsc.operation";  // 16 hex digits, random per operation
// Repository of the tags an operation puts on the images it built and still needs
// ("gsc-owned/HOST-PID:OPERATION-N"), removed when it ends; prune() finds dead owners' ones.
inline constexpr const char* kOwnedRepository = "gsc-owned";

// Label of every image a step of gsc's own builds commits: `LABEL gsc.build=VALUE` is the first
// step after FROM in gsc's Dockerfiles (the sign step's labels come first too), so each step
// image carries it, the results too (the final layer, FROM the stage, inherits the stage's).
// VALUE depends only on what the build starts FROM, so the build cache matches as before; an
// image another client builds FROM the same base lacks it. (Only the app image's ONBUILD
// triggers are kept out of gsc's builds; a Gramine image's or compile base's would run before
// the label and leave unlabelled steps.)
inline constexpr const char* kStepLabel = "gsc.build";

// "KIND-" and 16 hex digits of SHA-256 over KIND and FROM (an image id or name).
std::string step_label_value(const std::string& kind, const std::string& from);

// The daemon's images at one moment, with what tells gsc's build steps apart.
class ImageGraph {
 public:
  explicit ImageGraph(std::vector<ImageSummary> images);
  const std::vector<ImageSummary>& images() const { return images_; }
  const ImageSummary* find(const std::string& id) const;
  bool has_children(const std::string& id) const { return parents_.count(id) > 0; }
  // `id` and its ancestors, nearest first (at most 1000).
  std::vector<std::string> lineage(const std::string& id) const;
  // Where the gsc build that committed `id` started: walking up from `id` through images that
  // carry its gsc.build value and no name (gsc-owned/ tags aside), the first image with another
  // value or none, i.e. the build's FROM. nullopt when `id` has no gsc.build label, or when the
  // walk meets a named image with that value: a gsc result, and `id` an image someone built
  // FROM it (which is not gsc's step).
  std::optional<std::string> step_origin(const std::string& id) const;

 private:
  std::vector<ImageSummary> images_;
  std::map<std::string, std::size_t> index_;
  std::set<std::string> parents_;  // ids that are some image's parent
};

// step_label_value(), recorded by this thread's operation (if any) as one of its own.
std::string step_label_for(const std::string& kind, const std::string& from);

// Whether an image's tags hold a name other than gsc's own gsc-owned/ holds.
bool named(const std::vector<std::string>& repo_tags);

// "PID@HOST" of this process.
std::string owner_label_value();
// This host's name as it goes into a repository name: lowercase, [a-z0-9-] only.
std::string host_slug();

class Operation {
 public:
  Operation(Client& client, std::stop_token stop);
  ~Operation();
  Operation(const Operation&) = delete;
  Operation& operator=(const Operation&) = delete;

  Client& client() { return client_; }
  const std::string& id() const { return id_; }
  const std::stop_token& stop() const { return stop_; }
  // Throws gsc::Error(cancelled) once stop was requested.
  void throw_if_stopped() const;

  // The labels gsc.owner and gsc.operation, for a container about to be created.
  std::map<std::string, std::string> labels() const;

  void created_container(const std::string& id);
  void removed_container(const std::string& id);
  // An image this operation made (it did not exist before).
  void created_image(const std::string& id);
  bool did_create_image(const std::string& id) const;
  // The image is a result: a failure after this no longer removes it.
  void keep_image(const std::string& id);

  // A build starts FROM `root` (an image id or name); its step images descend from it. While
  // the operation runs, it holds each root that exists and has a name (or that it made), so that
  // prune() keeps what descends from it: the steps of a build under way.
  void build_root(const std::string& root);
  // The gsc.build value of a build of KIND FROM `from` (step_label_value), recorded: cleanup
  // removes only step images that carry one of this operation's values.
  std::string step_label(const std::string& kind, const std::string& from);
  // Called by Client::build: the daemon's images before a build starts (once per build).
  void before_build();
  // Called by Client::build: the build's result (its image is recorded as created when it
  // was not there before the build).
  void after_build(const std::string& image_id);
  // Called by Client::build: the names its build tags (a cut-off build may still tag them).
  void build_tags(const std::vector<std::string>& tags);
  // Called by Client::build when its connection ended early (a stop, a throwing callback): the
  // daemon may still commit the step it was in, so cleanup() waits for it to settle.
  void build_cut();
  // Tags `id` gsc-owned/HOST-PID:OPERATION-N for prune(); the tag goes when the operation ends.
  void hold_image(const std::string& id);

  // The untagged images this operation's builds committed that no result keeps (the steps of
  // a stage that is not part of it). `keep_ancestors_of`: an image whose ancestors stay.
  void remove_build_leftovers(const std::string& keep_ancestors_of = "") noexcept;
  // On failure or cancellation: removes every container and image recorded (images without
  // force), then the build leftovers; when a build was cut off, until the daemon settled.
  void cleanup() noexcept;

 private:
  std::size_t remove_step_images(const std::string& keep_ancestors_of) noexcept;
  void remove_late_tags() noexcept;
  void release_holds() noexcept;
  void hold_roots();
  void hold(const std::string& id, bool root);

  Client& client_;
  std::stop_token stop_;
  std::string id_;
  mutable std::mutex mutex_;
  std::set<std::string> containers_;
  std::vector<std::string> images_;   // in creation order: removed newest first
  std::set<std::string> kept_;
  std::set<std::string> baseline_;    // images before this operation's first build
  bool baseline_recorded_ = false;
  std::set<std::string> roots_;
  std::set<std::string> roots_held_;  // roots looked at by hold_roots() (held, or not to be)
  std::set<std::string> held_ids_;    // images hold_image() tagged
  std::set<std::string> step_labels_;
  std::map<std::string, std::string> tags_;  // names this operation's builds tag -> their image before ("": none)
  struct Hold {
    std::string reference;            // gsc-owned/...
    bool root = false;                // an image the operation did not make (see release_holds)
  };
  std::vector<Hold> holds_;
  std::size_t next_hold_ = 0;
  bool cut_ = false;
};

// The operation running on this thread; nullptr outside one.
Operation* current_operation();

// Makes `op` the current operation of this thread (also a helper thread of it) while alive.
class OperationScope {
 public:
  explicit OperationScope(Operation* op);
  ~OperationScope();
  OperationScope(const OperationScope&) = delete;
  OperationScope& operator=(const OperationScope&) = delete;

 private:
  Operation* previous_;
  std::stop_token previous_stop_;
};

// The token that interrupts this thread's daemon requests (shuts their connection down).
std::stop_token current_request_stop();

// While alive, this thread's daemon requests obey a deadline (default 15 s) instead of the
// operation's stop token: for removals during cleanup, and for container creations (one cut
// off by a stop could still happen in the daemon, unseen; its answer says what was made).
class CleanupScope {
 public:
  explicit CleanupScope(std::chrono::milliseconds deadline = std::chrono::seconds(15));
  ~CleanupScope();
  CleanupScope(const CleanupScope&) = delete;
  CleanupScope& operator=(const CleanupScope&) = delete;

 private:
  struct Timer;
  std::stop_source source_;
  std::stop_token previous_;
  std::unique_ptr<Timer> timer_;
};

}  // namespace gsc::docker
