#pragma once
// The operations of gsc, one function each: build, sign_image, info_image, build_gramine.
// Each takes an options struct and a progress callback and returns a result struct; the
// CLI is a thin layer over these. Failures are gsc::Error (see error.hpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gsc/diff.hpp"
#include "gsc/progress.hpp"
#include "gsc/sigstruct.hpp"

namespace gsc {

namespace docker {
class Client;
}

enum class BuildType { release, debug, debugoptimized };

// "release", "debug", "debugoptimized"; parse_build_type throws a usage error otherwise.
const char* to_string(BuildType type) noexcept;
BuildType parse_build_type(const std::string& name);

enum class LinuxPal { no, yes };          // -L: also use/keep Gramine's direct (Linux) PAL
enum class InsecureArgs { no, yes };      // --insecure-args
enum class UseCache { yes, no };          // --no-cache
enum class KeepIntermediates { yes, no }; // --rm

// `--build-arg K=V` or `--build-arg K` (value from the environment: missing is a usage error).
std::pair<std::string, std::string> parse_build_arg(const std::string& arg);

// Names of the images gsc makes from an application image name.
std::string unsigned_image_name(const std::string& image);  // gsc-IMAGE-unsigned
std::string signed_image_name(const std::string& image);    // gsc-IMAGE
// Throws a usage error naming the rules unless `name` is a valid name:tag for docker.
void check_image_name(const std::string& name);

// Time spent in one named phase of an operation.
struct PhaseTiming {
  std::string phase;
  std::chrono::milliseconds duration;
};

struct BuildOptions {
  std::string image;                 // the application image, e.g. "python:3" or an id
  std::string manifest_path;         // the user's manifest (TOML)
  std::string config_path = "config.yaml";
  std::string templates_dir;         // where templates/ lives (the CLI finds it next to itself)
  BuildType build_type = BuildType::release;
  LinuxPal linux_pal = LinuxPal::no;
  InsecureArgs insecure_args = InsecureArgs::no;
  UseCache use_cache = UseCache::yes;
  KeepIntermediates keep_intermediates = KeepIntermediates::yes;
  std::vector<std::pair<std::string, std::string>> build_args;
};

struct BuildResult {
  std::string image_name;          // gsc-IMAGE-unsigned
  std::string image_id;
  bool already_signed = false;     // gsc-IMAGE existed: nothing was built
  std::string base_image_id;
  std::string gramine_image;       // the Gramine image used (name or id)
  std::string distro;              // e.g. "debian:12"
  std::vector<std::string> argv;   // the trusted argv as the app will see it
  std::size_t trusted_files = 0;
  std::uint64_t bytes_hashed = 0;
  std::vector<PhaseTiming> timings;
};

// gsc build: IMAGE -> gsc-IMAGE-unsigned.
BuildResult build(docker::Client& client, const BuildOptions& options, const ProgressFn& progress);

struct SignOptions {
  std::string image;               // the application image name (gsc-IMAGE-unsigned must exist)
  std::string key_path;            // RSA-3072, e=3, PEM; or the public key with import_signature_path
  std::optional<std::string> passphrase;
  std::string config_path = "config.yaml";
  std::string templates_dir;
  std::vector<std::pair<std::string, std::string>> defines;  // -D k=v
  bool remove_gramine_deps = false;
  std::string date;                // YYYY-MM-DD, empty = today
  std::string export_signing_data_path;  // two-step signing, step 1: write the bytes to sign, stop
  std::string import_signature_path;     // two-step signing, step 2: the signature over those bytes
};

struct SignResult {
  std::string image_name;          // gsc-IMAGE (empty when only signing data was exported)
  std::string image_id;
  SigstructInfo info;              // MRENCLAVE, MRSIGNER, ...
  std::vector<PhaseTiming> timings;
};

// gsc sign-image: gsc-IMAGE-unsigned -> gsc-IMAGE. The user's key never reaches the daemon.
SignResult sign_image(docker::Client& client, const SignOptions& options, const ProgressFn& progress);

// gsc info-image: reads entrypoint.sig of a signed image without running it.
SigstructInfo info_image(docker::Client& client, const std::string& image);

struct BuildGramineOptions {
  std::string image;               // the name of the resulting Gramine image
  std::string config_path = "config.yaml";
  std::string templates_dir;
  BuildType build_type = BuildType::release;
  LinuxPal linux_pal = LinuxPal::no;
  UseCache use_cache = UseCache::yes;
  KeepIntermediates keep_intermediates = KeepIntermediates::yes;
  std::vector<std::pair<std::string, std::string>> build_args;
  std::string file_only_dir;       // -f: write the context here, build nothing
  std::string host_root = "/";     // where this host's subscription files are (RHEL UBI, SLES)
};

struct BuildGramineResult {
  std::string image_name;
  std::string image_id;
  std::string file_only_dir;
  std::vector<PhaseTiming> timings;
};

// gsc build-gramine: compiles Gramine from Gramine.Repository at Gramine.Branch.
BuildGramineResult build_gramine(docker::Client& client, const BuildGramineOptions& options,
                                 const ProgressFn& progress);

struct DiffResult {
  MeasuredImage a, b;
  ImageDiff diff;
};

// gsc diff-image: what differs between the measured inputs of two graminized images.
DiffResult diff_images(docker::Client& client, const std::string& a, const std::string& b);

}  // namespace gsc
