#pragma once
// The image gsc's stage is built FROM. A Dockerfile's FROM runs the image's ONBUILD triggers,
// and a trigger is the app image's code running in gsc's build, as root, able to change the
// files and the config (USER, ENV) of what gsc signs. An app image without triggers is the
// base as it is; one with triggers is replaced by a copy of it without them: same layers (the
// daemon has them: nothing is copied), the same config but OnBuild, loaded from a config-only
// `docker save` tar. Its id derives from the app image's, so a rebuild finds it and the build
// cache still holds.

#include <memory>
#include <optional>
#include <string>

#include "gsc/docker.hpp"
#include "gsc/progress.hpp"
#include "ops/container.hpp"

namespace gsc::ops {

struct StageBase {
  std::string id;                        // what the stage's FROM names
  std::unique_ptr<OwnedImage> created;   // set when this run loaded it: removed unless kept
  std::size_t triggers = 0;              // the app image's ONBUILD triggers left out
};

struct TriggerFreeConfig {
  std::string config;      // the image config (`docker save`'s <id>.json) without OnBuild
  std::size_t triggers = 0;
};

// The config of the image `inspect_json` (GET /images/{id}/json) describes, without its ONBUILD
// triggers; std::nullopt when it has none. Deterministic: same image, same bytes.
std::optional<TriggerFreeConfig> config_without_triggers(const std::string& inspect_json);

// The app image itself, or its copy without ONBUILD triggers (loaded unless already there).
StageBase stage_base(docker::Client& client, const docker::ImageInspect& app, const ProgressFn& progress);

}  // namespace gsc::ops
