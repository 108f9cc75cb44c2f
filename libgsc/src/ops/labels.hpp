#pragma once
// The labels gsc puts on the images it makes: what sign-image, info-image and other tools
// need to know about an image without opening it.

#include <string>

#include "gsc/docker.hpp"

namespace gsc::ops {

namespace label {
inline constexpr const char* tool = "gsc.tool";                        // "gsc"
inline constexpr const char* version = "gsc.version";                  // gsc's version
inline constexpr const char* app_image = "gsc.app.image";              // the name given to gsc build
inline constexpr const char* app_image_id = "gsc.app.image_id";
inline constexpr const char* gramine_image = "gsc.gramine.image";      // as named in config.yaml
inline constexpr const char* gramine_image_id = "gsc.gramine.image_id";
inline constexpr const char* gramine_repository = "gsc.gramine.repository";  // compiled Gramine images
inline constexpr const char* gramine_branch = "gsc.gramine.branch";
inline constexpr const char* gramine_commit = "gsc.gramine.commit";    // when known (local repository)
inline constexpr const char* gramine_version = "gsc.gramine.version";
inline constexpr const char* buildtype = "gsc.buildtype";              // release|debug|debugoptimized
inline constexpr const char* distro = "gsc.distro";                    // e.g. debian:12
inline constexpr const char* insecure_args = "gsc.insecure_args";      // true|false
inline constexpr const char* linux_pal = "gsc.linux_pal";              // true|false
inline constexpr const char* mr_enclave = "gsc.mr_enclave";            // signed images
inline constexpr const char* mr_signer = "gsc.mr_signer";
// Signed images: who measured (gsc itself, or a named Gramine image's signer) and the SHA-256
// of what was measured; verify-image uses them to say what changed since (never to decide).
inline constexpr const char* measured_by = "gsc.sign.measured_by";
inline constexpr const char* signed_manifest_sgx = "gsc.sign.manifest_sgx_sha256";
inline constexpr const char* signed_libpal = "gsc.sign.libpal_sha256";
}  // namespace label

// A label of an inspected image, "" when absent.
inline std::string label_of(const docker::ImageInspect& image, const std::string& key) {
  const auto it = image.config.labels.find(key);
  return it == image.config.labels.end() ? std::string() : it->second;
}

}  // namespace gsc::ops
