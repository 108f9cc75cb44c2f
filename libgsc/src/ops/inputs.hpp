#pragma once
// The documents an operation reads, from a file or from memory (see ops.hpp): one place
// decides which wins and what messages call it.

#include <toml++/toml.h>

#include <optional>
#include <string>

#include "gsc/config.hpp"

namespace gsc::ops {

struct ConfigInput {
  Config config;
  std::string name;  // the path, `config.yaml (from memory)` or `the Config given in code`
};

// `config` > `text` > `path`, read and checked.
ConfigInput read_config(const std::optional<Config>& config, const std::optional<std::string>& text,
                        const std::string& path);

struct ManifestInput {
  toml::table table;
  std::string name;  // the path or `manifest (from memory)`
};

// `text` > `path`, parsed.
ManifestInput read_manifest(const std::optional<std::string>& text, const std::string& path);

}  // namespace gsc::ops
