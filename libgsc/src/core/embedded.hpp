#pragma once
// What libgsc carries compiled in (generated at build time by cmake/embed.cmake).

#include <map>
#include <string_view>

namespace gsc::embedded {

// gsc-launch: the freestanding, static program that starts a graminized image
// (libgsc/runtime/gsc-launch.c), as the bytes of its executable.
std::string_view launcher();

// templates/ of the source tree: relative path ("common/Dockerfile.final") -> bytes.
const std::map<std::string_view, std::string_view>& templates();

}  // namespace gsc::embedded
