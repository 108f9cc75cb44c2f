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

  // A build starts FROM `root` (an image id or name); its step images descend from it.
  void build_root(const std::string& root);
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
  std::map<std::string, std::string> tags_;  // names this operation's builds tag -> their image before ("": none)
  std::vector<std::string> holds_;    // gsc-owned/... references
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
