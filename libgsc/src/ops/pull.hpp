#pragma once
// Images the daemon does not have yet: pulled from their registry with the docker CLI's
// credentials, as `docker run` or the original GSC's docker-py would.

#include <optional>
#include <string>

#include "gsc/docker.hpp"
#include "gsc/progress.hpp"

namespace gsc::ops {

// Whether `reference` names an image by id (sha256:..., or 12 to 64 hex digits): nothing to pull.
bool is_image_id(const std::string& reference);

// The image `reference`: the daemon's, else pulled (progress reports the layers). nullopt for
// an id the daemon does not know. A failed pull is a not_found error naming the image, the
// registry and the fix (`docker login` when the registry refused the credentials).
std::optional<docker::ImageInspect> find_or_pull_image(docker::Client& client, const std::string& reference,
                                                       const ProgressFn& progress);

}  // namespace gsc::ops
