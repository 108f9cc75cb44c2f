#pragma once
// The subcommands of the gsc CLI: each parses its flags, calls one libgsc operation and
// prints the result. Errors propagate as gsc::Error / boost::program_options::error.

#include <atomic>
#include <stop_token>
#include <string>
#include <vector>

namespace gsc::cli {

// Runs `gsc COMMAND ARGS...`; returns the exit status.
int run_command(const std::string& command, const std::vector<std::string>& args);

// The stop source of this run's libgsc operation: Ctrl-C requests stop on it.
std::stop_source& stop_source();
// True while a libgsc operation runs (before and after, Ctrl-C has nothing to clean up).
extern std::atomic<bool> operation_running;

// $GSC_TEMPLATES_DIR (a directory that overrides the templates), or "": libgsc's built-in ones.
std::string templates_dir();

}  // namespace gsc::cli
