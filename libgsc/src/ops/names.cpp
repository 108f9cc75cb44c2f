// Small pure helpers of the operations: image names, build types, build args.

#include <cstdlib>
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
  throw Error(ErrorCategory::usage,
              "unknown build type `" + name + "`. Use `release`, `debug` or `debugoptimized`.");
}

std::pair<std::string, std::string> parse_build_arg(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == 0 || arg.empty())
    throw Error(ErrorCategory::usage, "`--build-arg " + arg + "` has no name. Write `--build-arg KEY=VALUE`.");
  if (eq != std::string::npos) return {arg.substr(0, eq), arg.substr(eq + 1)};
  // `--build-arg K`: like docker build, the value comes from gsc's environment.
  const char* value = std::getenv(arg.c_str());
  if (!value)
    throw Error(ErrorCategory::usage, "`--build-arg " + arg + "` takes its value from the environment, but `" +
                                          arg + "` is not set. Set it or write `--build-arg " + arg + "=VALUE`.");
  return {arg, value};
}

std::string unsigned_image_name(const std::string& image) { return "gsc-" + image + "-unsigned"; }

std::string signed_image_name(const std::string& image) { return "gsc-" + image; }

void check_image_name(const std::string& name) {
  // Docker's reference grammar: [host[:port]/]component(/component)*[:tag], components lowercase.
  static const std::regex reference(
      R"(^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)"
      R"((/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$)");
  if (name.size() > 255 || !std::regex_match(name, reference))
    throw Error(ErrorCategory::usage, "`" + name + "` is not a valid image name: use lowercase letters, digits, "
                                      "`.`, `_`, `-` and `/`, and an optional `:tag` (e.g. `gramine-debian12:1.9`).");
}

}  // namespace gsc
