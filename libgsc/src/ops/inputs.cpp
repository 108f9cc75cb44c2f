#include "ops/inputs.hpp"

#include "ops/config_source.hpp"

#include "manifest/manifest.hpp"

namespace gsc::ops {

ConfigInput read_config(const std::optional<Config>& config, const std::optional<std::string>& text,
                        const std::string& path) {
  if (config) {
    ConfigInput in{*config, "the Config given in code"};
    check_config(in.config, in.name);
    return in;
  }
  if (text) return {parse_config(*text, "config.yaml (from memory)"), "config.yaml (from memory)"};
  return {config_of(path), config_name(path)};
}

ManifestInput read_manifest(const std::optional<std::string>& text, const std::string& path) {
  if (text) return {manifest::parse_manifest(*text, "manifest (from memory)"), "manifest (from memory)"};
  return {manifest::load_user_manifest(path), path};
}

}  // namespace gsc::ops
