// gsc build-gramine: a base image with Gramine compiled from Gramine.Repository.
// The refusals follow the original; the compile itself is not available yet (issue 6).

#include "gsc/config.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"

namespace gsc {

BuildGramineResult build_gramine(docker::Client&, const BuildGramineOptions& o, const ProgressFn&) {
  const Config config = load_config(o.config_path);
  if (!config.gramine.image.empty())
    throw Error(ErrorCategory::input, "`gsc build-gramine` compiles Gramine, but `Gramine.Image` is set in " +
                                          o.config_path + ". Remove it to compile from `Gramine.Repository`.");
  if (config.distro == "auto")
    throw Error(ErrorCategory::input, "`gsc build-gramine` needs a distro, but `Distro` is `auto` in " + o.config_path +
                                          ". Set it, e.g. `Distro: \"debian:12\"`.");
  throw Error(ErrorCategory::input,
              "Compiling Gramine from source is not available in this version of gsc yet. Use a prebuilt Gramine "
              "image as `Gramine.Image`.");
}

}  // namespace gsc
