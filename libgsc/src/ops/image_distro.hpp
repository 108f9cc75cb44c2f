#pragma once
// `Distro: auto`: the distro of an application image, told as the original GSC tells it.

#include <string>

#include "gsc/docker.hpp"
#include "manifest/distro.hpp"

namespace gsc::ops {

// Reads the image's /etc/os-release and, for RHEL, whether /usr/bin/microdnf exists (UBI
// minimal), in one never-started container. `image_name` and `config_path` are for messages.
manifest::Distro image_distro(docker::Client& client, const std::string& image_id, const std::string& image_name,
                              const std::string& config_path);

}  // namespace gsc::ops
