#include "cli_support.hpp"

#include <cstdlib>

namespace gsc::cli {

int exit_code(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::input:
    case ErrorCategory::not_found: return 1;
    case ErrorCategory::invalid_argument: return 2;
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

std::pair<std::string, std::string> parse_build_arg(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == 0 || arg.empty())
    throw Error(ErrorCategory::invalid_argument, "`--build-arg " + arg + "` has no name. Write `--build-arg KEY=VALUE`.");
  if (eq != std::string::npos) return {arg.substr(0, eq), arg.substr(eq + 1)};
  const char* value = std::getenv(arg.c_str());
  if (!value)
    throw Error(ErrorCategory::invalid_argument, "`--build-arg " + arg + "` takes its value from the environment, but `" +
                                                     arg + "` is not set. Set it or write `--build-arg " + arg + "=VALUE`.");
  return {arg, value};
}

}  // namespace gsc::cli
