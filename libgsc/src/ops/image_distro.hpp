#pragma once
// `Distro: auto`: the distro of an application image, told as the original GSC tells it.

#include <optional>
#include <string>

#include "gsc/docker.hpp"
#include "manifest/distro.hpp"

namespace gsc::ops {

// Reads the image's /etc/os-release and, for RHEL, whether /usr/bin/microdnf exists (UBI
// minimal), in one never-started container. std::nullopt when the image has no os-release
// (distroless, FROM scratch).
std::optional<manifest::Distro> image_distro(docker::Client& client, const std::string& image_id);

}  // namespace gsc::ops
