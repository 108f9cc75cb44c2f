#pragma once
// Steps 3 to 5 of gsc build: one streaming pass over the stage image's files; what the app is
// and needs (its real entry point, its runtime, the places it reads and writes); then the final
// manifest with every trusted file and its hash.

#include <cstdint>
#include <string>
#include <vector>

#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "image/entrypoint.hpp"
#include "image/scan.hpp"
#include "manifest/places.hpp"
#include "manifest/runtime.hpp"
#include "ops/build_inputs.hpp"
#include "ops/phases.hpp"

namespace gsc::ops {

// Step 3: the stage's filesystem (every file hashed), the entry point followed through its
// links, and the first bytes of its file (a script's #! line).
struct ScannedStage {
  image::ScanResult scan;
  image::EntryPoint entrypoint;
  std::string entry_head;
};

// Timed as the phases "export_and_hash" and "entry_point".
// The scan comes from gsc's cache when the stage image was scanned before (unless --no-cache).
ScannedStage scan_stage(docker::Client& client, const std::string& stage_id, const BuildInputs& in,
                        const BuildOptions& options, Phases& phases, const ProgressFn& progress);

// Step 4: what the app is and needs, decided before any manifest is written.
struct AppAnalysis {
  image::EntryPoint entrypoint;
  std::string interpreter;         // a script's #! interpreter, "" for a binary
  manifest::Runtime runtime;
  manifest::PlacesPlan places;
};

AppAnalysis analyse_app(const ScannedStage& stage, const BuildInputs& in);

// The report of step 4 as progress lines: the entry point, the runtime, each place.
void report_analysis(const AppAnalysis& analysis, const ProgressFn& progress);

// Step 5.
struct FinalManifest {
  std::string text;              // entrypoint.manifest, deterministic
  std::string check_text;        // for gramine-manifest-check: the same without gsc's trusted entries but one
  std::string trusted_sizes;     // trusted_file_sizes: "<bytes> <path>" per trusted file, for diff-image
  std::vector<manifest::Setting> settings;  // what gsc set because the user's manifest did not
  std::size_t trusted_files = 0; // entries of sgx.trusted_files
  std::uint64_t bytes_hashed = 0;
};

FinalManifest make_final_manifest(const ScannedStage& stage, const AppAnalysis& analysis, const BuildInputs& in,
                                  const BuildOptions& options, const ProgressFn& progress);

}  // namespace gsc::ops
