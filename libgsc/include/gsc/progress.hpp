#pragma once
// Progress reporting: libgsc never prints. Long operations take a ProgressFn and call it
// with one event per line of output, as it happens, and with counters during long phases.
//
// Threading contract: the callback is called only on the thread that called the operation
// (build, sign_image, ...), never concurrently with itself and never after the operation
// returned. Image hashing runs on worker threads, but they only hash: the thread reading the
// export stream, which is the caller's, reports their progress. The callback should return
// quickly (it holds up the operation, and a slow one the daemon's stream behind it). An
// exception it throws ends the operation: it propagates to the caller, and what the
// operation had made so far is removed as on any failure.

#include <cstdint>
#include <functional>
#include <string>

#include "gsc/export.hpp"

namespace gsc {

// The phase of an operation an event belongs to. Timings (PhaseTiming::phase) use the same
// names, see to_string.
enum class Phase {
  none,             // not within a phase
  inputs,           // reading and checking inputs: config, manifest, images (pulls), Gramine
  compile,          // compiling Gramine (build-gramine, or build without Gramine.Image)
  context,          // build-gramine: the build context
  stage_base,       // build: the base of the stage image
  stage_build,      // build: the stage image (docker build output)
  export_and_hash,  // build, verify-image: exporting the image and hashing every file
  entry_point,      // build: resolving the entry point in the image
  manifest,         // build: the final manifest
  manifest_check,   // build: Gramine's gramine-manifest-check
  final_layer,      // build, sign-image: the last layer and the tag
  read_image,       // sign-image, verify-image: reading the graminized files
  measure,          // sign-image: MRENCLAVE
  sign,             // sign-image: the signature
  export_signing_data,  // sign-image, two-step: writing the bytes to sign
  analysis,         // build: what the app needs (runtime, places)
  compare,          // verify-image: comparing with the SIGSTRUCT
};

// "export_and_hash", ...; "" for none.
GSC_API const char* to_string(Phase phase) noexcept;

struct ProgressEvent {
  enum class Kind {
    step,          // gsc starts a phase ("Building stage image gsc-x-stage")
    build_output,  // a line the docker build printed
    info,          // a fact worth telling the user (resolved argv, counts)
    warning,       // something the user should look at; the operation goes on
    progress,      // counters of a long phase (below); text is the same as one plain line
  };
  Kind kind;
  std::string text;  // one line, without trailing newline
  Phase phase = Phase::none;
  // Kind::progress: how far the phase is, sent at most every 64 MiB or 250 ms and once at its
  // end (done == total when the total was known). A total of 0 is unknown; bytes_total is the
  // image's size as the daemon states it, an estimate the export may exceed a little.
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;
  bool finished = false;  // Kind::progress: the last event of its phase
};

using ProgressFn = std::function<void(const ProgressEvent&)>;

// Calls fn if set; helpers use this so a missing callback costs nothing.
inline void report(const ProgressFn& fn, ProgressEvent::Kind kind, std::string text) {
  if (fn) fn(ProgressEvent{kind, std::move(text)});
}

}  // namespace gsc
