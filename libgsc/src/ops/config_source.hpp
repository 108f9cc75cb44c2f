#pragma once
// The configuration an operation runs with: the file its `config_path` names, or
// default_config() when that is empty (never a file relative to the working directory).

#include <string>

#include "gsc/config.hpp"

namespace gsc::ops {

Config config_of(const std::string& config_path);

// How messages name it: the path, or the default configuration.
std::string config_name(const std::string& config_path);

}  // namespace gsc::ops
