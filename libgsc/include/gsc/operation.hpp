#pragma once
// The context one operation (build, sign_image, build_gramine, verify_image, info_image,
// diff_images, prune) runs in: where its progress goes and how the caller stops it.
//
// Cancellation: request stop on the std::stop_source whose token is in `stop` (from any
// thread, e.g. a signal-handling one). The operation then returns promptly: it interrupts its
// waits and daemon streams (by closing their connections), its image export and its hashing,
// removes what it created in the daemon (see "Resources" below), and throws gsc::Error with
// ErrorCategory::cancelled. Other operations of the process, and later ones, are untouched.
//
// Progress: the callback is called on the thread that called the operation, one event at a
// time, never after the operation returned. It may call request_stop() on the operation's
// stop source. It may throw: the operation then stops as on a failure (it removes what it
// created) and the callback's exception propagates to the caller unchanged.
//
// Resources: an operation removes, on failure or cancellation, exactly what it created in the
// daemon, through the caller's docker::Client: the containers it created (each carries the
// labels gsc.owner=PID@HOST and gsc.operation=ID), the images it built or loaded that did not
// exist before it began (never with force: an image in use by anyone stays), and the untagged
// build-step images its own builds committed. An image that existed before the operation is
// never removed. Daemon requests of that cleanup have a deadline (a wedged daemon cannot hang
// it). After `kill -9`, gsc::prune() removes what a dead gsc process left.
//
// Threads: one docker::Client may be shared by operations on several threads (configure it,
// e.g. set_credentials(), before sharing). An OperationContext belongs to one operation.

#include <concepts>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "gsc/progress.hpp"

namespace gsc {

struct OperationContext {
  ProgressFn progress;   // may be empty
  std::stop_token stop;  // default: never stopped

  OperationContext() = default;
  // From a progress callback alone, so that `gsc::build(client, options, callback)` works.
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, OperationContext> && std::is_constructible_v<ProgressFn, F>)
  OperationContext(F&& progress_fn) : progress(std::forward<F>(progress_fn)) {}  // NOLINT: implicit on purpose
  OperationContext(ProgressFn progress_fn, std::stop_token stop_token)
      : progress(std::move(progress_fn)), stop(std::move(stop_token)) {}
};

}  // namespace gsc
