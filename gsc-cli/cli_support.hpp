#pragma once
// What only the command line knows: exit statuses, and `--build-arg` values taken from the
// environment. Pure helpers, unit-tested (tests/unit/cli).

#include <string>
#include <utility>

#include "gsc/error.hpp"

namespace gsc::cli {

// The exit status of a failure of this category (README "Exit status"):
// 1 input (incl. not found), 2 usage (invalid arguments), 3 daemon, 4 build failure,
// 5 signature, 130 cancelled, 70 internal.
int exit_code(ErrorCategory category) noexcept;

// `--build-arg K=V`, or `--build-arg K` (value from gsc's environment, as docker build takes
// it; not set is a usage error).
std::pair<std::string, std::string> parse_build_arg(const std::string& arg);

}  // namespace gsc::cli
