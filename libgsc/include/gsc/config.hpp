#pragma once
// gsc's configuration (config.yaml), as the original GSC reads it: the distro, an optional
// registry prefix, where Gramine comes from, and the out-of-tree SGX driver (older setups).

#include <string>

#include "gsc/export.hpp"

namespace gsc {

struct Config {
  std::string distro = "auto";  // "auto" or e.g. "debian:12", "ubuntu:22.04"
  std::string registry;         // prefix for the distro's base image, "" = none
  struct Gramine {
    std::string image;          // a prebuilt Gramine image (gsc build-gramine); wins when set
    std::string repository;     // else: compile from this repository (URL or local directory)
    std::string branch;         // ... at this branch, tag or commit
  } gramine;
  struct SgxDriver {
    std::string repository;     // "" = the in-kernel driver
    std::string branch;
  } sgx_driver;
  std::string base_dir = ".";   // the directory of config.yaml: a relative local repository starts there
};

// The settings of config.yaml.template: Distro `auto`, no Registry, Gramine compiled from
// its upstream repository at the release gsc is tested with (v1.9), the in-kernel SGX driver.
// What an operation uses when its `config_path` is empty (the gsc CLI reads ./config.yaml).
GSC_API Config default_config();

// Reads and validates config.yaml; errors name the file and line and say the fix.
GSC_API Config load_config(const std::string& path);

// Parses config.yaml text; `name` is used in messages.
GSC_API Config parse_config(const std::string& text, const std::string& name);

// Checks a Config built in code as parse_config checks config.yaml: a distro gsc knows (or
// "auto"), `Gramine.Image` or both `Gramine.Repository` and `Gramine.Branch`, a registry
// prefix of host[:port]/path characters. `name` is used in messages.
GSC_API void check_config(const Config& config, const std::string& name);

}  // namespace gsc
