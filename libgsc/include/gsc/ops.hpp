#pragma once
// The operations of gsc, one function each: build, sign_image, info_image, build_gramine.
// Each takes an options struct and an OperationContext (progress callback, stop token: see
// operation.hpp) and returns a result struct; the CLI is a thin layer over these. Failures are
// gsc::Error (see error.hpp); a stopped operation throws ErrorCategory::cancelled.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gsc/diff.hpp"
#include "gsc/operation.hpp"
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
enum class Rebuild { no, yes };           // --rebuild: build even when gsc-IMAGE exists

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
  UseCache use_cache = UseCache::yes;  // no: neither Docker's build cache nor gsc's scan cache is read
  KeepIntermediates keep_intermediates = KeepIntermediates::yes;
  std::vector<std::pair<std::string, std::string>> build_args;
  std::string cache_dir;             // gsc's scan cache; "" = $GSC_CACHE_DIR, $XDG_CACHE_HOME/gsc, ~/.cache/gsc
  // `--mount PATH=CHOICE`: how the app reaches PATH under Gramine. CHOICE is tmpfs (in-enclave,
  // empty at start), encrypted[:KEY] (Gramine encrypted files on the host), allowed (plain host
  // files) or trusted (the image's files there, read-only).
  std::vector<std::string> mounts;
  Rebuild rebuild = Rebuild::no;
};

// A manifest setting gsc applied because the user's manifest did not set it.
struct AppliedSetting {
  std::string key;     // "sgx.use_exinfo"
  std::string value;   // TOML text: "true", "\"2M\""
  std::string reason;  // one line
};

// A place the app reads or writes, and what gsc does there (the report before building).
struct PlaceReport {
  std::string path;
  std::string what;      // "scratch", "VOLUME", "Docker secrets", "the app's logs", ...
  std::string access;    // none | tmpfs | encrypted | allowed | trusted
  std::string source;    // gsc | command line | manifest
  std::string line;      // the printed line
};

struct BuildResult {
  std::string image_name;          // gsc-IMAGE-unsigned
  std::string image_id;
  bool already_signed = false;     // gsc-IMAGE existed: nothing was built (see BuildOptions::rebuild)
  std::string base_image_id;
  std::string gramine_image;       // the Gramine image used (name or id)
  std::string distro;              // e.g. "debian:12"
  std::vector<std::string> argv;   // the trusted argv as the app will see it
  std::string entrypoint;          // libos.entrypoint: argv[0] with every symlink followed
  std::vector<std::string> entrypoint_chain;  // argv[0] as found, each link's target, ..., the real file
  std::string runtime;             // "JVM", "Node.js", "Python", "Perl", "" (none recognised)
  std::vector<AppliedSetting> settings;  // what gsc set in the manifest for the runtime and for containers
  std::vector<PlaceReport> places;
  std::string manifest_check;      // "valid", or why Gramine's gramine-manifest-check did not run
  std::size_t trusted_files = 0;   // entries of sgx.trusted_files in the final manifest
  std::uint64_t bytes_hashed = 0;
  std::vector<PhaseTiming> timings;
};

// gsc build: IMAGE -> gsc-IMAGE-unsigned.
BuildResult build(docker::Client& client, const BuildOptions& options, const OperationContext& ctx = {});

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
SignResult sign_image(docker::Client& client, const SignOptions& options, const OperationContext& ctx = {});

// gsc info-image: reads entrypoint.sig of a signed image without running it.
SigstructInfo info_image(docker::Client& client, const std::string& image, const OperationContext& ctx = {});

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
                                 const OperationContext& ctx = {});

struct VerifyOptions {
  std::string image;                 // a signed graminized image, e.g. gsc-python
  UseCache use_cache = UseCache::yes;  // no: hash the image's files again, even if scanned before
  std::string cache_dir;             // where scans are cached; "" = $GSC_CACHE_DIR, $XDG_CACHE_HOME/gsc, ~/.cache/gsc
};

// One way in which a signed image's contents do not give the MRENCLAVE its SIGSTRUCT carries.
struct VerifyFinding {
  enum class Part {
    sigstruct,     // the SIGSTRUCT: MRENCLAVE or a field the manifest determines, or its signature
    manifest,      // entrypoint.manifest.sgx (what the enclave loads)
    trusted_file,  // a trusted file's content, or a file that is gone
    runtime,       // Gramine's SGX PAL (libpal.so)
  };
  Part part;
  std::string subject;  // "entrypoint.sig", "entrypoint.manifest.sgx", "/usr/bin/python3", "libpal.so"
  std::string detail;   // one line
};

struct VerifyResult {
  std::string image_name;
  std::string image_id;
  bool match = false;                  // the contents give the signed MRENCLAVE, every trusted file holds
  std::string mr_enclave_signed;       // hex, from entrypoint.sig
  std::string mr_enclave_computed;     // hex, from the image's manifest.sgx and SGX PAL
  std::string gramine_version;
  std::size_t trusted_files = 0;       // trusted files compared with the image's contents
  std::vector<VerifyFinding> findings; // empty when match
  std::vector<PhaseTiming> timings;
};

const char* to_string(VerifyFinding::Part part) noexcept;

// gsc verify-image: recomputes a signed image's measurement from its contents (never running
// it) and compares it with its SIGSTRUCT. Differences are findings, not errors; an image gsc
// cannot verify (not signed, a Gramine it does not measure) is a gsc::Error.
VerifyResult verify_image(docker::Client& client, const VerifyOptions& options, const OperationContext& ctx = {});

struct DiffResult {
  MeasuredImage a, b;
  ImageDiff diff;
};

// gsc diff-image: what differs between the measured inputs of two graminized images.
DiffResult diff_images(docker::Client& client, const std::string& a, const std::string& b,
                       const OperationContext& ctx = {});

struct PruneOptions {
  bool dry_run = false;  // list what would be removed, remove nothing
};

struct PruneResult {
  std::vector<std::string> containers;  // removed (or, dry run, to remove): ids
  std::vector<std::string> images;      // removed image references (gsc-owned/... tags) and ids
  std::vector<std::string> skipped;     // leftovers kept, one line each: owner alive, on another host, in use
};

// gsc prune: removes what gsc processes that no longer run left in the daemon (after `kill -9`,
// a crash, a lost connection): the containers labelled gsc.owner=PID@HOST and the images
// referenced by gsc-owned/PID-HOST tags, when HOST is this host and no process PID runs there.
// What a live gsc process (or one on another host) owns is never touched; images are removed
// without force (an image in use stays).
PruneResult prune(docker::Client& client, const PruneOptions& options = {}, const OperationContext& ctx = {});

}  // namespace gsc
