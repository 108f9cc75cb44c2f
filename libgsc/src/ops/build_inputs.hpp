#pragma once
// Step 1 of gsc build: everything the build needs, read and checked before the daemon does
// any work (config, user manifest, app image, Gramine image, distro, argv).

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "gsc/config.hpp"
#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "gramine/host_runtime.hpp"
#include "manifest/app.hpp"
#include "manifest/places.hpp"
#include "templates/render.hpp"

namespace gsc::ops {

inline constexpr const char* kGraminePrefix = "/gramine/meson_build_output";

struct BuildInputs {
  Config config;
  std::string config_name;    // for messages: the path, or where it came from in memory
  toml::table user_manifest;
  std::string manifest_name;  // likewise
  docker::ImageInspect app_image;
  std::string gramine_image_name;
  docker::ImageInspect gramine_image;
  manifest::Distro distro;
  templates::DistroLayout layout;
  manifest::AppCommand command;
  std::vector<manifest::MountChoice> mount_choices;  // --mount
  manifest::EtcFiles etc_files;                      // which of /etc/hosts, hostname, resolv.conf gsc provides
  BuildType build_type = BuildType::release;
  InsecureArgs insecure_args = InsecureArgs::no;
  LinuxPal linux_pal = LinuxPal::no;
  std::vector<gramine::HostFile> sgx_loader;         // Gramine's SGX loader and what it needs, for /gramine/gsc

  // Gramine's library directory in the image: /gramine/meson_build_output/lib/x86_64-linux-gnu.
  std::string gramine_lib_dir() const;
  // Gramine's pkglibdir, where the PALs are: .../lib/x86_64-linux-gnu/gramine.
  std::string pal_dir() const;
  templates::StageData stage_data(const std::string& app_image_name) const;
  // gsc's files of the stage image's /gramine/app_files (hosts, hostname), by name.
  std::map<std::string, std::pair<std::string, unsigned>> app_files() const;
  // What starts the enclave, outside it (/gramine/gsc): gsc-launch, the SGX loader, its
  // dynamic linker and libraries; by path under /gramine/gsc.
  std::map<std::string, std::pair<std::string, unsigned>> host_files() const;
  // The image's ENTRYPOINT: gsc-launch and its arguments, as a JSON array.
  std::string entrypoint_json() const;
  // The image's CMD: the app's CMD with --insecure-args (runtime args replace it), else [].
  std::string cmd_json() const;
  // The labels of the unsigned image (what sign-image and other tools read).
  std::map<std::string, std::string> labels(const BuildOptions& options) const;
};

BuildInputs gather_build_inputs(docker::Client& client, const BuildOptions& options, const ProgressFn& progress);

}  // namespace gsc::ops
