#include "ops/image_distro.hpp"

#include "image/scan.hpp"
#include "ops/container.hpp"

namespace gsc::ops {

std::optional<manifest::Distro> image_distro(docker::Client& client, const std::string& image_id) {
  EphemeralContainer container(client, docker::ContainerCreateOptions{
                                           .image = image_id, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
  // As small as the scan keeps it: the image controls the file.
  const auto os_release = read_container_file(client, container.id(), "/etc/os-release", image::kMaxCapturedFile);
  if (!os_release) return std::nullopt;
  // microdnf is read only to learn that it is there: a RHEL image's is small.
  const auto microdnf = read_container_file(client, container.id(), "/usr/bin/microdnf");
  return manifest::distro_from_os_release(*os_release, microdnf ? manifest::Microdnf::present : manifest::Microdnf::absent);
}

}  // namespace gsc::ops
