#pragma once
// Gramine compiled from source: the build context of a distro's Dockerfile.compile, the name
// a compiled Gramine is kept under, and the build itself. Used by `gsc build-gramine` and by
// `gsc build` when config.yaml names no `Gramine.Image`.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gsc/config.hpp"
#include "gsc/docker.hpp"
#include "gsc/ops.hpp"
#include "manifest/distro.hpp"
#include "tar/writer.hpp"

namespace gsc::ops {

// Where Gramine's source comes from: a git URL the build clones, or a local git repository
// (a Gramine checkout) that gsc sends in the build context.
struct GramineSource {
  bool local = false;
  std::string repository;              // as config.yaml names it
  std::filesystem::path git_dir;       // local: the repository's git directory
  std::string commit;                  // local: what Gramine.Branch resolves to, "" when unknown
};

// Classifies and checks `Gramine.Repository`: URLs (scheme://, user@host:path) are remote;
// anything else is a directory, relative to config.yaml's, that must hold a git repository
// in which `Gramine.Branch` exists. Problems are input errors naming the key and the fix.
GramineSource resolve_gramine_source(const Config& config, const std::string& config_path);

// A branch, tag or full commit hash in a git directory (loose refs and packed-refs):
// the commit or tag object it names; nullopt when there is no such ref.
std::optional<std::string> resolve_git_ref(const std::filesystem::path& git_dir, const std::string& name);

struct CompileRequest {
  Config config;
  std::string config_path;
  manifest::Distro distro;
  BuildType build_type = BuildType::release;
  std::string templates_dir;
  UseCache use_cache = UseCache::yes;  // `gsc build --no-cache`: compile anew, never reuse
  std::string host_root = "/";         // where this host's subscription files are (RHEL, SLES)
};

// RHEL UBI and SLES: Gramine's build dependencies need this host's subscription, so gsc
// installs them in a container of the base image that gets the subscription through its stdin
// into tmpfs mounts, and commits it (see ops/subscription.hpp). The compile starts FROM that.
struct SubscribedDeps {
  std::string install_script;          // install-deps.sh
  std::string image;                   // gsc-gramine-deps-<distro>:<key>, kept for reuse
  std::string host_root;
};

struct CompileContext {
  std::string dockerfile;
  std::map<std::string, std::string> scripts;  // more files of the context: install-deps.sh, ...
  std::filesystem::path git_dir;       // a local repository's, sent as gramine-source/; "" for a URL
  std::string base_image;              // Registry/Distro
  std::optional<SubscribedDeps> subscribed;
  manifest::Distro distro;
  std::string source;                  // "<repository> at <branch>" for messages, without credentials
  std::string key;                     // SHA-256 over what determines the result
  std::vector<std::string> warnings;   // for the user (credentials in a URL)

  // The image the build starts FROM, by name (the build may pull it): the subscribed
  // dependencies' image, else Registry/Distro.
  std::string from_image() const { return subscribed ? subscribed->image : base_image; }

  // The build context: the Dockerfile, its scripts, and the local repository's git data.
  // Read only when needed: a reused Gramine needs the key alone.
  tar::Writer files() const;
};

CompileContext make_compile_context(const CompileRequest& request);

// The name `gsc build` keeps a compiled Gramine under, so that the next build reuses it:
// gsc-gramine-<distro>-<buildtype>:<first 16 hex digits of the key>. Every compile has both
// PALs, so `-L` needs no Gramine of its own.
std::string compiled_gramine_name(const manifest::Distro& distro, BuildType type, const std::string& key);

// Builds the context and tags the result `tag`; on failure no image of the build is left.
std::string compile_gramine(docker::Client& client, const CompileContext& context, const std::string& tag,
                            UseCache use_cache, const std::vector<std::pair<std::string, std::string>>& build_args,
                            const ProgressFn& progress);

// `gsc build` without `Gramine.Image`: the compiled Gramine for this request, compiled at the
// first build and reused (by name) afterwards; with `--no-cache`, compiled anew (a moved
// branch is picked up), as the original recompiles. Returns its name.
std::string ensure_compiled_gramine(docker::Client& client, const CompileRequest& request,
                                    const std::vector<std::pair<std::string, std::string>>& build_args,
                                    const ProgressFn& progress);

}  // namespace gsc::ops
