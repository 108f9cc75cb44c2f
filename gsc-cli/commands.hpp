#pragma once
// The subcommands of the gsc CLI: each parses its flags, calls one libgsc operation and
// prints the result. Errors propagate as gsc::Error / boost::program_options::error.

#include <string>
#include <vector>

namespace gsc::cli {

// Runs `gsc COMMAND ARGS...`; returns the exit status.
int run_command(const std::string& command, const std::vector<std::string>& args);

// $GSC_TEMPLATES_DIR (a directory that overrides the templates), or "": libgsc's built-in ones.
std::string templates_dir();

}  // namespace gsc::cli
