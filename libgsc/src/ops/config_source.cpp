#include "ops/config_source.hpp"

namespace gsc::ops {

Config config_of(const std::string& config_path) {
  return config_path.empty() ? default_config() : load_config(config_path);
}

std::string config_name(const std::string& config_path) {
  return config_path.empty() ? "gsc's default configuration (give a config.yaml as `config_path`)" : config_path;
}

}  // namespace gsc::ops
