// Small pure helpers of the operations: image names, build types.

#include <regex>

#include "gsc/error.hpp"
#include "gsc/ops.hpp"

namespace gsc {

const char* to_string(BuildType type) noexcept {
  switch (type) {
    case BuildType::release: return "release";
    case BuildType::debug: return "debug";
    case BuildType::debugoptimized: return "debugoptimized";
  }
  return "release";
}

BuildType parse_build_type(const std::string& name) {
  if (name == "release") return BuildType::release;
  if (name == "debug") return BuildType::debug;
  if (name == "debugoptimized") return BuildType::debugoptimized;
  throw Error(ErrorCategory::invalid_argument,
              "unknown build type `" + name + "`. Use `release`, `debug` or `debugoptimized`.");
}

std::string unsigned_image_name(const std::string& image) { return "gsc-" + image + "-unsigned"; }

std::string signed_image_name(const std::string& image) { return "gsc-" + image; }

void check_image_name(const std::string& name) {
  // Docker's reference grammar: [host[:port]/]component(/component)*[:tag], components lowercase.
  static const std::regex reference(
      R"(^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)"
      R"((/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$)");
  if (name.size() > 255 || !std::regex_match(name, reference))
    throw Error(ErrorCategory::invalid_argument, "`" + name + "` is not a valid image name: use lowercase letters, digits, "
                                      "`.`, `_`, `-` and `/`, and an optional `:tag` (e.g. `gramine-debian12:1.9`).");
}

}  // namespace gsc
