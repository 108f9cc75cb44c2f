#include "ops/image_path.hpp"

namespace gsc::ops {

std::string final_image_path(const std::string& app_path, BuildType type) {
  std::string path = "/gramine/meson_build_output/bin:";
  path += app_path.empty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : app_path;
  if (type != BuildType::release) path += ":" + std::string(kDebugToolsDir) + "/bin";
  return path;
}

}  // namespace gsc::ops
