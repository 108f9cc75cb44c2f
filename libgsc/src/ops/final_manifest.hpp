#pragma once
// Steps 3 and 4 of gsc build: one streaming pass over the stage image's files, then the
// final manifest with every trusted file and its hash.

#include <cstdint>
#include <string>

#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "ops/build_inputs.hpp"

namespace gsc::ops {

struct FinalManifest {
  std::string text;              // entrypoint.manifest, deterministic
  std::string binary_path;       // where /gramine/app_files/<basename> points (PATH resolved)
  std::string trusted_sizes;     // trusted_file_sizes: "<bytes> <path>" per trusted file, for diff-image
  std::size_t trusted_files = 0;
  std::uint64_t bytes_hashed = 0;
};

FinalManifest make_final_manifest(docker::Client& client, const std::string& stage_id, const BuildInputs& in,
                                  const BuildOptions& options, const ProgressFn& progress);

}  // namespace gsc::ops
