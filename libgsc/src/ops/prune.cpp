// gsc prune: removes what gsc processes that no longer run left in the daemon.
//
// Every container gsc creates within an operation carries gsc.owner=PID@HOST (and
// gsc.operation=ID); every image an operation built and still needs, and every named image its
// builds start FROM, carries a tag gsc-owned/HOST-PID:ID-N while it runs. A process that ends
// normally removes both; after a `kill -9` they stay. prune removes those whose HOST is this host
// and whose PID runs no process here. A live owner's (or a reused PID's) are kept: wrongly kept
// is safe, wrongly removed is not. Another host's are kept: their owners cannot be checked from
// here.
//
// Then the step images of a build whose gsc died during it: every step of gsc's builds carries
// the label gsc.build; such an image that is unnamed, that no image builds on, and that came
// from a gsc build FROM an image that is not a gsc result (ImageGraph::step_origin), goes with
// its unnamed parents, unless that build started FROM an image a live gsc (or one on another
// host) holds: then it may be the steps of a build under way. An image built FROM the id of an
// unnamed image is not held (its hold would remove it); a live build on one is not told apart.

#include <signal.h>

#include <cerrno>
#include <set>
#include <string>

#include "docker/operation.hpp"
#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "ops/operation_run.hpp"

namespace gsc {
namespace {

bool process_alive(long pid) {
  if (pid <= 0) return true;  // not a PID: never treated as dead
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

long parse_pid(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(text);
}

std::string this_host() {
  const std::string owner = docker::owner_label_value();
  return owner.substr(owner.find('@') + 1);
}

// The step images of builds whose gsc process died (see the top of this file).
void remove_dead_steps(docker::Client& client, const PruneOptions& o, const std::set<std::string>& dead_holds,
                       PruneResult& result) {
  const docker::ImageGraph graph(client.list_images({.all = true}));
  const std::string owned = std::string(docker::kOwnedRepository) + "/";
  std::set<std::string> held;  // images a hold of a live gsc, or of another host's, names
  for (const auto& image : graph.images())
    for (const auto& tag : image.repo_tags)
      if (tag.rfind(owned, 0) == 0 && !dead_holds.count(tag)) held.insert(image.id);
  for (const auto& image : graph.images()) {
    ops::check_stop();
    if (!image.labels.count(docker::kStepLabel) || graph.has_children(image.id) || docker::named(image.repo_tags) ||
        held.count(image.id))
      continue;
    const auto origin = graph.step_origin(image.id);
    if (!origin) continue;  // built FROM a gsc result by someone: not gsc's step
    const std::string short_id = image.id.substr(image.id.find(':') + 1, 12);
    bool live = false;
    for (const auto& id : graph.lineage(image.id)) {
      live = live || held.count(id) > 0;
      if (id == *origin) break;
    }
    if (live) {
      result.skipped.push_back("image " + short_id + ": a step of a build that a running gsc process started");
      continue;
    }
    if (!o.dry_run) {
      try {
        client.remove_image(image.id, {.force = false, .noprune = false});  // and its unnamed parents
      } catch (const Error& e) {
        if (e.category() != ErrorCategory::conflict && e.category() != ErrorCategory::not_found) throw;
        result.skipped.push_back("image " + short_id + ": in use (" + e.what() + ")");
        continue;
      }
    }
    result.images.push_back(short_id + " (a build step)");
  }
}

}  // namespace

PruneResult prune(docker::Client& client, const PruneOptions& o, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc prune", [&](docker::Operation&) {
    PruneResult result;
    const std::string host = this_host();
    for (const auto& c : client.list_containers({.all = true, .labels = {docker::kOwnerLabel}})) {
      ops::check_stop();
      const std::string owner = c.labels.count(docker::kOwnerLabel) ? c.labels.at(docker::kOwnerLabel) : "";
      const auto at = owner.find('@');
      const std::string short_id = c.id.substr(0, 12);
      if (at == std::string::npos || owner.substr(at + 1) != host) {
        result.skipped.push_back("container " + short_id + ": owner `" + owner + "` is on another host");
        continue;
      }
      if (process_alive(parse_pid(owner.substr(0, at)))) {
        result.skipped.push_back("container " + short_id + ": its gsc process " + owner.substr(0, at) + " runs");
        continue;
      }
      if (!o.dry_run) client.remove_container(c.id, {.force = true, .volumes = true});
      result.containers.push_back(c.id);
    }
    const std::string prefix = std::string(docker::kOwnedRepository) + "/";
    std::set<std::string> dead_holds;  // removed (or, dry run, to remove)
    for (const auto& image : client.list_images({})) {
      for (const auto& reference : image.repo_tags) {
        ops::check_stop();
        if (reference.rfind(prefix, 0) != 0) continue;
        const std::string repository = reference.substr(prefix.size(), reference.find(':') - prefix.size());
        const auto dash = repository.rfind('-');
        const std::string slug = dash == std::string::npos ? "" : repository.substr(0, dash);
        const long pid = dash == std::string::npos ? -1 : parse_pid(repository.substr(dash + 1));
        if (slug != docker::host_slug()) {
          result.skipped.push_back("image " + reference + ": its owner is on another host");
          continue;
        }
        if (process_alive(pid)) {
          result.skipped.push_back("image " + reference + ": its gsc process " + std::to_string(pid) + " runs");
          continue;
        }
        if (!o.dry_run) {
          try {
            // The tag, and the image with its untagged parents unless something else needs it.
            client.remove_image(reference, {.force = false, .noprune = false});
          } catch (const Error& e) {
            if (e.category() != ErrorCategory::conflict && e.category() != ErrorCategory::not_found) throw;
            result.skipped.push_back("image " + reference + ": in use (" + e.what() + ")");
            continue;
          }
        }
        result.images.push_back(reference);
        dead_holds.insert(reference);
      }
    }
    remove_dead_steps(client, o, dead_holds, result);
    return result;
  });
}

}  // namespace gsc
