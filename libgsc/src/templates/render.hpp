#pragma once
// Renders templates/ (kainjow mustache). Each template gets an explicit data struct built in
// C++; every value arrives already quoted for where it lands (TOML string, JSON, shell word),
// so templates hold no logic and no escaping. The only file that includes mustache is
// render.cpp. Every function takes `templates_dir`: "" renders the templates compiled into
// libgsc (core/embedded.hpp), a directory overrides them file by file name.

#include <map>
#include <string>
#include <vector>

namespace gsc::templates {

// Where a distro family keeps things (Debian/Ubuntu vs. CentOS/RHEL/SLES).
struct DistroLayout {
  std::string family_dir;   // templates/<family_dir>/ for distro-specific templates
  std::string lib_dir;      // "lib/x86_64-linux-gnu" or "lib64" (Gramine's and the system's)
  std::string system_lib;   // "/usr/lib/x86_64-linux-gnu" or "/usr/lib64"
  // Gramine's build dependencies come from <family_dir>/install-deps.sh (run by
  // common/Dockerfile.compile, or in a subscribed container); else <family_dir>/Dockerfile.compile
  // installs them itself.
  bool install_script = false;
};

// The layout of a distro family: debian, ubuntu -> debian; centos, redhat -> redhat; suse.
DistroLayout layout_for(const std::string& family);

struct StageData {
  std::string app_image;            // id
  std::string app_image_name;       // as the user named it (comment only)
  std::string gramine_image;        // id
  std::string gramine_image_name;
  bool copy_whole_gramine = false;  // non-release: all of /gramine, not only the install
  bool app_files = true;            // the context has app_files/ (gsc's /etc/hosts, /etc/hostname)
  std::string entrypoint_json;      // ENTRYPOINT as a JSON array (gsc-launch and its arguments)
  std::string cmd_json;             // CMD as a JSON array
  std::map<std::string, std::string> labels;
  std::string path;                 // the image's PATH (ENV), unquoted
  std::string build_label;          // gsc.build of its steps (docker/operation.hpp)
};

struct EntrypointManifestData {     // every field is TOML text (strings quoted)
  std::string entrypoint;
  std::string libsysdb_uri;
  std::string libsysdb_sha256;
  std::string log_level;
  std::string ld_library_path;
  std::string path;
  bool insecure_args = false;
  std::string trusted_argv;         // a TOML array (loader.argv); "" when the user's manifest says how
  std::string start_dir;
  std::string debug;                // "true" / "false"
  bool set_ids = false;             // a non-root USER: Gramine reports these ids to the app
  std::string uid;
  std::string gid;
};

struct FinalLayerData {
  std::string stage_image;
};

struct SignData {
  std::string unsigned_image;
  std::map<std::string, std::string> labels;  // gsc.build among them: the first step labels
  std::map<std::string, std::string> args;  // `-D k=v` of sign-image, as the original's `args`
};

// Dockerfile.compile of a distro family: Gramine compiled from source (gsc build-gramine).
struct CompileData {                // every command-line value arrives shell-quoted
  std::string base_image;           // Registry/Distro, the FROM
  std::string distro;               // e.g. "debian:12" (comments)
  std::string version;              // e.g. "15.6" (SUSE's module names)
  bool distro_meson = false;        // meson and tomli are distro packages (else pip)
  bool dcap = false;                // Ubuntu: Intel's DCAP library and -Ddcap=enabled
  bool microdnf = false;            // RHEL UBI minimal
  std::string package_manager;      // dnf | microdnf (RHEL family)
  std::string extra_repo;           // a repository to enable for the install: crb, powertools, CodeReady Builder
  std::string major_version;        // "9" (EPEL)
  bool subscription = false;        // RHEL UBI, SLES: the install needs this host's subscription
  std::string deps_image;           // ... and is the image gsc made with it (the FROM)
  bool debug_tools = false;         // non-release: gdb and strace, bundled under /gramine/debug-tools
  std::string source_comment;       // where the source comes from, one line
  bool local_source = false;        // the source arrives in the context as gramine-source/
  std::string clone_source;         // the URL git clones (not for a local source)
  std::string branch;
  bool fetch_sgx_header = false;    // the distro's kernel headers lack asm/sgx.h (Linux < 5.11)
  bool oot_driver = false;          // SGXDriver.Repository is set
  std::string driver_repository;
  std::string driver_branch;        // "" = the repository's default branch
  std::string buildtype;            // release | debug | debugoptimized
  std::map<std::string, std::string> labels;
  std::string build_label;          // gsc.build of its steps (docker/operation.hpp)
};

std::string render_compile_dockerfile(const std::string& templates_dir, const DistroLayout& layout,
                                      const CompileData& data);

// <family_dir>/install-deps.sh of a layout with install_script: a shell script.
std::string render_install_script(const std::string& templates_dir, const DistroLayout& layout,
                                  const CompileData& data);

// A file of templates/ as it is (a script sent in a build context).
std::string template_text(const std::string& templates_dir, const std::string& name);

std::string render_stage_dockerfile(const std::string& templates_dir, const StageData& data);
std::string render_entrypoint_manifest(const std::string& templates_dir, const EntrypointManifestData& data);
std::string render_final_dockerfile(const std::string& templates_dir, const FinalLayerData& data);
std::string render_sign_dockerfile(const std::string& templates_dir, const SignData& data);

// A Dockerfile double-quoted word: backslash escapes '"', '\\' and '$'; newlines become spaces.
std::string dockerfile_quote(const std::string& text);

// `"k1"="v1" "k2"="v2"`: the arguments of one Dockerfile LABEL instruction.
std::string label_arguments(const std::map<std::string, std::string>& labels);

// A word quoted for bash: 'it'\''s'.
std::string shell_quote(const std::string& word);

}  // namespace gsc::templates
