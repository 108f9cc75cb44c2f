#include "ops/image_distro.hpp"

#include "gsc/error.hpp"
#include "ops/container.hpp"

namespace gsc::ops {

manifest::Distro image_distro(docker::Client& client, const std::string& image_id, const std::string& image_name,
                              const std::string& config_path) {
  // microdnf is read only to learn that it is there: a RHEL image's is small.
  const auto files = read_image_files(client, image_id, {"/etc/os-release", "/usr/bin/microdnf"});
  if (!files[0])
    throw Error(ErrorCategory::input, "`" + image_name + "` has no /etc/os-release, so `Distro: auto` cannot tell its "
                                      "distro. Set `Distro` in " + config_path + ".");
  return manifest::distro_from_os_release(*files[0], files[1] ? manifest::Microdnf::present : manifest::Microdnf::absent);
}

}  // namespace gsc::ops
