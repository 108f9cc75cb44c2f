#pragma once
// gsc's configuration (config.yaml), as the original GSC reads it: the distro, an optional
// registry prefix, where Gramine comes from, and the out-of-tree SGX driver (older setups).

#include <string>

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

// Reads and validates config.yaml; errors name the file and line and say the fix.
Config load_config(const std::string& path);

// Parses config.yaml text; `name` is used in messages.
Config parse_config(const std::string& text, const std::string& name);

// Checks a Config built in code as parse_config checks config.yaml: a distro gsc knows (or
// "auto"), `Gramine.Image` or both `Gramine.Repository` and `Gramine.Branch`, a registry
// prefix of host[:port]/path characters. `name` is used in messages.
void check_config(const Config& config, const std::string& name);

}  // namespace gsc
