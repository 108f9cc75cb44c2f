#include "gsc/error.hpp"

namespace gsc {

const char* to_string(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::usage: return "usage error";
    case ErrorCategory::input: return "input error";
    case ErrorCategory::not_found: return "not found";
    case ErrorCategory::conflict: return "conflict";
    case ErrorCategory::daemon_unavailable: return "daemon unavailable";
    case ErrorCategory::daemon_api: return "daemon error";
    case ErrorCategory::build_failed: return "build failed";
    case ErrorCategory::signature: return "signature error";
    case ErrorCategory::cancelled: return "cancelled";
    case ErrorCategory::internal: return "internal error";
  }
  return "error";
}

int exit_code(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::input:
    case ErrorCategory::not_found: return 1;
    case ErrorCategory::usage: return 2;
    case ErrorCategory::conflict:
    case ErrorCategory::daemon_unavailable:
    case ErrorCategory::daemon_api: return 3;
    case ErrorCategory::build_failed: return 4;
    case ErrorCategory::signature: return 5;
    case ErrorCategory::cancelled: return 130;
    case ErrorCategory::internal: return 70;
  }
  return 70;
}

}  // namespace gsc
