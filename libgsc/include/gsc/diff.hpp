#pragma once
// Why did MRENCLAVE change? A comparison of what two graminized images measure: their final
// manifests (every trusted file with its hash, argv, env, mounts, sgx settings), their
// trusted argv, their Gramine runtime, and their SIGSTRUCTs when signed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gsc/export.hpp"
#include "gsc/sigstruct.hpp"

namespace gsc {

// What gsc reads of one graminized image to compare it.
struct MeasuredImage {
  std::string name;
  std::string manifest;                   // /gramine/app_files/entrypoint.manifest
  std::string trusted_argv;               // /gramine/app_files/trusted_argv of older images (now loader.argv)
  std::optional<SigstructInfo> sigstruct; // when signed
  std::string gramine_image_id;           // label gsc.gramine.image_id
  std::string gramine_version;            // label gsc.gramine.version of that image, if any
  std::string trusted_sizes;              // /gramine/app_files/trusted_file_sizes: "<bytes> <path>" lines
};

struct FileChange {
  std::string path;
  std::string old_sha256;  // "" when added
  std::string new_sha256;  // "" when removed
  std::optional<std::uint64_t> old_size, new_size;  // bytes, when the image records them
};

struct ValueChange {
  std::string key;         // e.g. "loader.env.PATH", "sgx.debug", "argv[2]"
  std::string old_value;   // "" (and present = false) when added
  std::string new_value;
};

struct ImageDiff {
  bool same_measurement = false;      // same MRENCLAVE (signed) or same measured inputs
  std::vector<std::string> verdict;   // the differing parts, in the order of the groups below
  std::vector<FileChange> files_added, files_removed, files_changed;
  std::vector<ValueChange> argv, env, mounts, sgx, runtime, other, sigstruct;
};

// Compares two images' measured inputs. Pure: no daemon.
GSC_API ImageDiff diff_measured(const MeasuredImage& a, const MeasuredImage& b);

// Text for people: the verdict first, then counts and the first `limit` entries of each group
// (0 = all).
GSC_API std::string format_diff_text(const ImageDiff& diff, const MeasuredImage& a, const MeasuredImage& b, std::size_t limit);
// One JSON object with every group.
GSC_API std::string format_diff_json(const ImageDiff& diff, const MeasuredImage& a, const MeasuredImage& b);

}  // namespace gsc
