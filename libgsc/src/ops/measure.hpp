#pragma once
// The enclave measurement of a graminized image, established by gsc itself from the image's
// bytes (read through the archive API; nothing of the image runs): sign-image signs only this,
// verify-image compares it with what the image carries.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gramine/enclave.hpp"
#include "gramine/manifest_sgx.hpp"
#include "gramine/runtime.hpp"
#include "gsc/docker.hpp"
#include "image/scan.hpp"

namespace gsc::ops {

inline constexpr const char* kManifestPath = "/gramine/app_files/entrypoint.manifest";
inline constexpr const char* kManifestSgxPath = "/gramine/app_files/entrypoint.manifest.sgx";
inline constexpr const char* kSigPath = "/gramine/app_files/entrypoint.sig";

// What signing and verifying read of a graminized image.
struct GraminizedFiles {
  std::string manifest;                     // entrypoint.manifest
  std::optional<std::string> manifest_sgx;  // entrypoint.manifest.sgx (signed images)
  std::optional<std::string> sigstruct;     // entrypoint.sig (signed images)
  gramine::Runtime runtime;                 // from the image's gramine-sgx
  std::string libpal;                       // the bytes of runtime.libpal_path ("" when missing)
};

// Reads them in one never-started container. A missing entrypoint.manifest is an input error
// naming `name` (not a graminized image).
GraminizedFiles read_graminized(docker::Client& client, const std::string& image_id, const std::string& name);

// The image's files for trusted-file entries that carry no hash (images built by the original
// GSC, `file:/dir/` entries): scanned on first use only.
class LazyImageFiles : public gramine::FileView {
 public:
  using Scanner = std::function<image::ScanResult()>;
  explicit LazyImageFiles(Scanner scanner) : scanner_(std::move(scanner)) {}
  Kind kind(const std::string& path) const override;
  bool is_symlink(const std::string& path) const override;
  std::vector<std::string> list(const std::string& directory) const override;
  std::string sha256(const std::string& path) const override;
  bool at_hand() const override { return fs_.has_value(); }

 private:
  const image::Filesystem& fs() const;
  Scanner scanner_;
  mutable std::optional<image::Filesystem> fs_;
};

struct NativeMeasurement {
  gramine::SgxManifest manifest;             // manifest.sgx and the attributes
  std::array<std::uint8_t, 32> mr_enclave{};
  std::string sigstruct;                     // to be signed: no modulus, signature, q1, q2 yet
};

// Gramine v1.9's gramine-sgx-sign of the image's manifest and SGX PAL, done by gsc.
NativeMeasurement measure_natively(const GraminizedFiles& image, const std::string& date, const gramine::FileView* files);

// Lowercase hex.
std::string to_hex(const std::uint8_t* data, std::size_t size);

}  // namespace gsc::ops
