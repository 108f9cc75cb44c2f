#pragma once
// Gramine's own `gramine-manifest-check`, from the Gramine image, on the manifest gsc writes.
// It runs in a throwaway container (no network) that starts while gsc hashes the image: Python
// and Gramine's modules load meanwhile, then the check waits for the manifest. gsc hands it the
// manifest when it is written and builds the final layer while it checks, so the check adds no
// wall time. A Gramine image without the tool (or without Python) is not checked, and gsc says so.

#include <future>
#include <memory>
#include <string>

#include "gsc/docker.hpp"
#include "ops/container.hpp"

namespace gsc::ops {

class ManifestCheck {
 public:
  // Starts the container on a connection of its own, in the background; never throws.
  ManifestCheck(const docker::Endpoint& endpoint, std::string gramine_image);
  ~ManifestCheck();
  ManifestCheck(const ManifestCheck&) = delete;
  ManifestCheck& operator=(const ManifestCheck&) = delete;

  struct Verdict {
    enum class Kind { valid, rejected, not_checked };
    Kind kind = Kind::not_checked;
    std::string message;  // rejected: Gramine's reason; not_checked: why, one line
  };

  // Hands the manifest text to the waiting check and returns its verdict.
  Verdict check(const std::string& manifest_text);

 private:
  docker::Client client_;
  std::string gramine_image_;
  docker::Operation* op_;  // the operation that runs the check (nullptr: none)
  std::unique_ptr<EphemeralContainer> container_;
  std::future<void> started_;
};

// The verdict from the check's exit status and output (pure; exit 3: no tool in the image).
ManifestCheck::Verdict verdict_of(int exit_code, const std::string& out, const std::string& err,
                                  const std::string& gramine_image);

}  // namespace gsc::ops
