#pragma once
// The distro of the application image: a `Distro` name of config.yaml, or the image's
// /etc/os-release. Version rules (which distro packages what) are decided here, in C++,
// never in templates.

#include <string>
#include <vector>

namespace gsc::manifest {

struct Distro {
  std::string name;               // as in config.yaml: "debian:12", "quay.io/centos/centos:stream9" ...
  std::string family;             // debian | ubuntu | centos (Linux 8 and Stream) | redhat | suse
  std::string version;            // "12", "22.04", "9", "9.4", "15.6"
  std::vector<int> version_parts; // {12}, {22, 4}, {9}, {9, 4}, {15, 6}
  bool minimal = false;           // RHEL UBI minimal
};

// Whether a RHEL image has /usr/bin/microdnf (the original's test for UBI minimal).
enum class Microdnf { absent, present };

// Names config.yaml accepts for `Distro` besides `auto`, for messages.
const std::string& supported_distros();

// Parses a `Distro` name of config.yaml; unsupported names are an input error.
Distro parse_distro(const std::string& name);

// The distro of an image from its /etc/os-release text, as the original GSC tells it:
// ID + VERSION_ID (two components), e.g. `debian:12`, `centos:8`; CentOS Stream (by NAME),
// RHEL UBI (minimal when microdnf is present) and SLES by their image names.
Distro distro_from_os_release(const std::string& os_release, Microdnf microdnf = Microdnf::absent);

// The distro's base image: `registry/name`, or the name alone when registry is "".
std::string base_image(const Distro& distro, const std::string& registry);

// <0, 0, >0 as version a is lower, equal, higher than b ({22, 4} < {23, 4}; missing parts are 0).
int compare_versions(const std::vector<int>& a, const std::vector<int>& b);

// Whether the distro is `family` at `minimum` or newer.
bool is_at_least(const Distro& distro, const std::string& family, const std::vector<int>& minimum);

// Distros whose packages carry meson and tomli new enough for Gramine (Debian >= 12,
// Ubuntu >= 23.04): build-gramine takes them from the distro instead of pip.
bool distro_has_recent_meson(const Distro& distro);

}  // namespace gsc::manifest
