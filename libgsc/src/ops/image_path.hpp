#pragma once
// The PATH of a graminized image (outside the enclave: what `docker exec` and gsc-launch
// see; the enclave's PATH is the manifest's).

#include <string>

#include "gsc/ops.hpp"

namespace gsc::ops {

// Where a non-release Gramine compiled by gsc keeps gdb and strace (see Dockerfile.compile).
inline constexpr const char* kDebugToolsDir = "/gramine/debug-tools";

// Gramine's bin first, as the original's images have it (a user who enters the container
// calls `gramine-direct` by name), then the app's PATH (Docker's default when it has none),
// then, for non-release builds, the debug tools (last: the app's own gdb wins).
std::string final_image_path(const std::string& app_path, BuildType type);

}  // namespace gsc::ops
