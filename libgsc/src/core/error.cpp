#include "gsc/error.hpp"

namespace gsc {

Error::~Error() = default;
BuildError::~BuildError() = default;
ApiError::~ApiError() = default;

const char* to_string(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::invalid_argument: return "invalid argument";
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

}  // namespace gsc
