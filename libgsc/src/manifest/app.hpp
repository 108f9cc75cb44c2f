#pragma once
// What gsc takes from the application image's config: the command (argv, the binary, the
// trusted argv), the working directory, the user, and the env as loader.env entries.

#include <optional>
#include <string>
#include <vector>

namespace gsc::manifest {

struct ImageCommandInput {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;
};

struct EnvEntry {
  std::string name;
  std::string value;
};

struct AppCommand {
  std::vector<std::string> argv;              // ENTRYPOINT then CMD, as Docker runs it
  std::string binary;                         // argv[0], a relative path with '/' made absolute
  std::string binary_basename;                // the name under /gramine/app_files/
  std::vector<std::string> binary_arguments;  // ENTRYPOINT[1:]
  std::vector<std::string> cmd;               // CMD (the part runtime args replace with --insecure-args)
  std::string trusted_argv;                   // "/gramine/app_files/<basename>\0arg1\0...": each NUL-terminated
  std::string working_dir;                    // "/" when empty, always ending in '/'
  std::string user;                           // "root" when empty
  std::vector<EnvEntry> env;                  // in image order, values raw (escaped when written)
  std::string path;                           // the image's PATH ("" when unset)
  std::vector<std::string> notes;             // skipped env values, one line each
};

// Reads the command from the image config. No entrypoint nor cmd: an input error.
AppCommand app_command(const ImageCommandInput& input);

// The trusted argv file: each string followed by a NUL byte.
std::string serialize_argv(const std::vector<std::string>& argv);

struct Distro {
  std::string name;     // as in config.yaml: "debian:12", "ubuntu:22.04", "quay.io/centos/centos:stream9" ...
  std::string family;   // debian | ubuntu | centos | redhat | suse
  std::string version;  // "12", "22.04", "9", "9.4", "15.6"
  bool minimal = false; // RHEL UBI minimal
};

// Parses a `Distro` name of config.yaml; unsupported names are an input error.
Distro parse_distro(const std::string& name);

// The distro of an image from its /etc/os-release text (ID + VERSION_ID).
Distro distro_from_os_release(const std::string& os_release);

// Distros whose packages carry meson and tomli new enough for Gramine (Debian >= 12,
// Ubuntu >= 23.04): build-gramine takes them from the distro instead of pip.
bool distro_has_recent_meson(const Distro& distro);

}  // namespace gsc::manifest
