#pragma once
// The frame of every public operation: its docker::Operation (stop token, what it created),
// current on the calling thread; on failure or cancellation, what it created is removed and a
// stop request becomes ErrorCategory::cancelled.

#include <string>
#include <utility>

#include "docker/operation.hpp"
#include "gsc/error.hpp"
#include "gsc/operation.hpp"

namespace gsc::ops {

template <typename Fn>
auto run_operation(docker::Client& client, const OperationContext& ctx, const std::string& what, Fn&& body) {
  docker::Operation op(client, ctx.stop);
  const docker::OperationScope scope(&op);
  try {
    op.throw_if_stopped();
    return body(op);
  } catch (...) {
    op.cleanup();
    if (ctx.stop.stop_requested())
      throw Error(ErrorCategory::cancelled,
                  "`" + what + "` was cancelled: what it had created in the Docker daemon is removed.");
    throw;
  }
}

// Throws ErrorCategory::cancelled when the current operation was asked to stop.
inline void check_stop() {
  if (const docker::Operation* op = docker::current_operation()) op->throw_if_stopped();
}

}  // namespace gsc::ops
