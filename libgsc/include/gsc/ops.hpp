#pragma once
// The operations of gsc, one function each: build, sign_image, info_image, build_gramine.
// Each takes an options struct and an OperationContext (progress callback, stop token: see
// operation.hpp) and returns a result struct; the CLI is a thin layer over these. Failures are
// gsc::Error (see error.hpp); a stopped operation throws ErrorCategory::cancelled.
//
// Options and result structs grow: they are aggregates whose every field has a default
// (default member initializers), and new fields are only ever appended. Build them with
// designated initializers naming only what you set, so new fields keep their defaults:
//   gsc::build(client, {.image = "python:3", .manifest_path = "python.manifest"}, progress);
// Source compatibility holds within a minor version; the ABI (struct layouts) is that of
// the soname (libgsc.so.0.1): a layout change is a new soname (README "Versions").

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gsc/config.hpp"
#include "gsc/export.hpp"
#include "gsc/diff.hpp"
#include "gsc/operation.hpp"
#include "gsc/progress.hpp"
#include "gsc/signer.hpp"
#include "gsc/sigstruct.hpp"

namespace gsc {

namespace docker {
class Client;
}

enum class BuildType { release, debug, debugoptimized };

// "release", "debug", "debugoptimized"; parse_build_type throws invalid_argument otherwise.
GSC_API const char* to_string(BuildType type) noexcept;
GSC_API BuildType parse_build_type(const std::string& name);

enum class LinuxPal { no, yes };          // -L: also use/keep Gramine's direct (Linux) PAL
enum class InsecureArgs { no, yes };      // --insecure-args
enum class UseCache { yes, no };          // --no-cache
// What build() does when the signed image gsc-IMAGE already exists.
enum class ExistingSigned {
  reuse,    // build nothing, return it (BuildResult::already_signed): the CLI without --rebuild
  rebuild,  // build gsc-IMAGE-unsigned again; gsc-IMAGE stays as it is until signed again
  fail,     // a gsc::Error (conflict) naming gsc-IMAGE
};

// Names of the images gsc makes from an application image name.
GSC_API std::string unsigned_image_name(const std::string& image);  // gsc-IMAGE-unsigned
GSC_API std::string signed_image_name(const std::string& image);    // gsc-IMAGE
// Throws invalid_argument naming the rules unless `name` is a valid name:tag for docker.
GSC_API void check_image_name(const std::string& name);

// Time spent in one named phase of an operation.
struct PhaseTiming {
  std::string phase;
  std::chrono::milliseconds duration;
};

// Every document an operation reads comes from a file or from memory. From memory wins:
//   config:   `config` (a Config built in code, checked by check_config) > `config_text`
//             (config.yaml's YAML, messages say `config.yaml (from memory)`) > `config_path`.
//             From memory, a relative local `Gramine.Repository` starts at Config::base_dir
//             (config_text: the working directory).
//   manifest: `manifest_text` (TOML; messages say `manifest (from memory)` and the line) >
//             `manifest_path`.
//   key:      `signer` > `key_pem` (with `passphrase`) > `key_path` (see SignOptions).

struct BuildOptions {
  std::string image;                 // the application image, e.g. "python:3" or an id
  std::string manifest_path;         // the user's manifest (TOML)
  std::optional<std::string> manifest_text;  // or its TOML text
  std::string config_path;                   // config.yaml; "" = default_config() (gsc/config.hpp), never a file
  std::optional<std::string> config_text;    // or config.yaml's YAML text
  std::optional<Config> config;              // or a Config built in code
  std::string templates_dir;                 // "" = the templates built into libgsc; a directory overrides them
  BuildType build_type = BuildType::release;
  LinuxPal linux_pal = LinuxPal::no;
  InsecureArgs insecure_args = InsecureArgs::no;
  UseCache use_cache = UseCache::yes;  // no: neither Docker's build cache nor gsc's scan cache is read
  std::vector<std::pair<std::string, std::string>> build_args;
  std::string cache_dir;             // gsc's scan cache; "" = $GSC_CACHE_DIR, $XDG_CACHE_HOME/gsc, ~/.cache/gsc
  // `--mount PATH=CHOICE`: how the app reaches PATH under Gramine. CHOICE is tmpfs (in-enclave,
  // empty at start), encrypted[:KEY] (Gramine encrypted files on the host), allowed (plain host
  // files) or trusted (the image's files there, read-only).
  std::vector<std::string> mounts;
  // The library's default is `rebuild`: a caller of build() asked for a build from these inputs,
  // and reusing an image made from other inputs would hand back an old measurement without a
  // word (the original's CLI habit, kept by gsc's CLI as `reuse`); `fail` would make an
  // ordinary second run an error every caller has to handle.
  ExistingSigned existing_signed = ExistingSigned::rebuild;
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
  bool already_signed = false;     // gsc-IMAGE existed: nothing was built (ExistingSigned::reuse)
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
GSC_API BuildResult build(docker::Client& client, const BuildOptions& options, const OperationContext& ctx = {});

struct SignOptions {
  std::string image;               // the application image name (gsc-IMAGE-unsigned must exist)
  std::string key_path;            // RSA-3072, e=3, PEM; or the public key with import_signature_path
  std::optional<std::string> key_pem;   // or the private key's PEM bytes (wins over key_path)
  std::optional<std::string> passphrase;  // of key_path or key_pem, when encrypted
  // Or whatever holds the key (an HSM, a KMS, a remote service): wins over key_pem and key_path.
  // Called once, on the calling thread; its signature is checked against its public key.
  std::shared_ptr<Signer> signer;
  // config.yaml is read only for an image of a Gramine gsc does not measure itself (its
  // `Gramine.Image` signer measures it): as in BuildOptions ("" = default_config()).
  std::string config_path;
  std::optional<std::string> config_text;
  std::optional<Config> config;
  std::string templates_dir;       // "" = built in
  std::vector<std::pair<std::string, std::string>> defines;  // -D k=v
  bool remove_gramine_deps = false;
  std::string date;                // YYYY-MM-DD, empty = today
  // Two-step signing across processes (the CLI's): step 1 writes the bytes to sign and stops
  // (no key needed; key_path, when set, is checked as a public key); step 2 completes the image
  // with a signature over those bytes made elsewhere (key_path is then the public key). A
  // program does both in one call with `signer`.
  std::string export_signing_data_path;
  std::string import_signature_path;
};

struct SignResult {
  std::string image_name;          // gsc-IMAGE (empty when only signing data was exported)
  std::string image_id;
  SigstructInfo info;              // MRENCLAVE, MRSIGNER, ...
  std::vector<PhaseTiming> timings;
};

// gsc sign-image: gsc-IMAGE-unsigned -> gsc-IMAGE. The user's key never reaches the daemon.
GSC_API SignResult sign_image(docker::Client& client, const SignOptions& options, const OperationContext& ctx = {});

// gsc info-image: reads entrypoint.sig of a signed image without running it.
GSC_API SigstructInfo info_image(docker::Client& client, const std::string& image, const OperationContext& ctx = {});

struct BuildGramineOptions {
  std::string image;               // the name of the resulting Gramine image
  std::string config_path;         // "" = default_config() (its Distro `auto` is refused: set one)
  std::optional<std::string> config_text;
  std::optional<Config> config;
  std::string templates_dir;       // "" = built in
  BuildType build_type = BuildType::release;
  LinuxPal linux_pal = LinuxPal::no;
  UseCache use_cache = UseCache::yes;
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
GSC_API BuildGramineResult build_gramine(docker::Client& client, const BuildGramineOptions& options,
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

GSC_API const char* to_string(VerifyFinding::Part part) noexcept;

// gsc verify-image: recomputes a signed image's measurement from its contents (never running
// it) and compares it with its SIGSTRUCT. Differences are findings, not errors; an image gsc
// cannot verify (not signed, a Gramine it does not measure) is a gsc::Error.
GSC_API VerifyResult verify_image(docker::Client& client, const VerifyOptions& options, const OperationContext& ctx = {});

struct DiffResult {
  MeasuredImage a, b;
  ImageDiff diff;
};

// gsc diff-image: what differs between the measured inputs of two graminized images.
GSC_API DiffResult diff_images(docker::Client& client, const std::string& a, const std::string& b,
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
// referenced by gsc-owned/PID-HOST tags, when HOST is this host and no process PID runs there,
// and the unnamed step images (label gsc.build) of builds such a process had under way. What a
// live gsc process (or one on another host) owns or builds on is never touched; images are
// removed without force (an image in use stays).
GSC_API PruneResult prune(docker::Client& client, const PruneOptions& options = {}, const OperationContext& ctx = {});

}  // namespace gsc
