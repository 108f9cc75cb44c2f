#pragma once
// Which Gramine an image runs, read from the image's own files (never by running them).

#include <string>

namespace gsc::gramine {

struct Runtime {
  std::string version;      // "1.9"; "" when the image does not say
  std::string libpal_path;  // the SGX PAL the image's gramine-sgx loads
  std::string pkglibdir;    // its directory's parent: loader.entrypoint's default lives there
};

inline constexpr const char* kLauncherPath = "/gramine/meson_build_output/bin/gramine-sgx";

// From the text of `gramine-sgx` (a bash script in Gramine 1.x: `echo "Gramine 1.9 (1.9)"` for
// --version, `LIBPAL_PATH=...`). Fields it does not name stay empty.
Runtime runtime_from_launcher(const std::string& script);

// The Gramine versions whose `gramine-sgx-sign` gsc reproduces natively, byte for byte.
bool measured_natively(const std::string& version);

}  // namespace gsc::gramine
