#pragma once
// Where the app reads and writes under Gramine, decided before the manifest is written:
// scratch places, the image's VOLUMEs, Docker secrets, the app's directories under /var
// (which the trusted-file walk excludes), and the names files /etc/hosts, /etc/hostname and
// /etc/resolv.conf. Each place gets one access (a one-word choice: `--mount PATH=CHOICE` or
// the user's own fs.mounts / sgx.allowed_files / sgx.trusted_files entry), and gsc reports
// every place with what it does there. Host data is never made trusted or allowed unless the
// user chose so.

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

namespace gsc::manifest {

enum class Access {
  none,       // nothing added: the image's files there stay trusted (read-only); writes are refused
  tmpfs,      // in-enclave tmpfs: empty at start, lost at exit, not shared between processes
  encrypted,  // Gramine encrypted files on the host, under a key (key_name)
  allowed,    // plain host files: readable and writable, neither integrity- nor confidentiality-protected
  trusted,    // the image's files there, hashed, read-only (for directories gsc otherwise excludes)
};

// "none", "tmpfs", "encrypted", "allowed", "trusted".
const char* to_string(Access access) noexcept;

// The key of an encrypted place when none is named: the SGX sealing key of the enclave's
// signer (data stays readable by later images signed with the same key; it exists only under
// SGX: direct mode needs `encrypted:NAME` and `fs.insecure__keys.NAME`).
inline constexpr const char* kDefaultKeyName = "_sgx_mrsigner";

struct MountChoice {
  std::string path;      // absolute, without a trailing '/'
  Access access = Access::none;
  std::string key_name;  // encrypted: "" means kDefaultKeyName
};

// Parses `--mount PATH=tmpfs|encrypted[:KEY]|allowed|trusted`; a usage error otherwise.
MountChoice parse_mount_choice(const std::string& argument);

// What the image holds at the paths gsc looks at.
struct PlacesInput {
  std::vector<std::string> volumes;                  // the image's VOLUMEs
  std::vector<std::string> var_dirs;                 // /var/www and /var/{lib,log,cache,spool,opt}/NAME in the image
  std::map<std::string, std::size_t> files_under;    // path -> regular files below it in the image (paths above)
  std::vector<MountChoice> choices;                  // the command line's, in order
};

struct Place {
  enum class Kind { scratch, run_time_files, volume, secrets, app_logs, app_files, chosen };
  enum class Source { gsc, command_line, manifest };
  std::string path;
  Kind kind = Kind::chosen;
  std::string what;      // the kind in words: "scratch", "VOLUME", "Docker secrets", "the app's logs", ...
  Access access = Access::none;
  std::string key_name;  // encrypted
  Source source = Source::gsc;
  std::size_t image_files = 0;
  bool warn = false;     // host data (a VOLUME, Docker secrets) nobody chose an access for
  std::string inside_tmpfs;  // a VOLUME below one of gsc's tmpfs places: that place
  std::string line;      // the report line: what gsc does there and how to choose otherwise
};

struct PlacesPlan {
  std::vector<Place> places;               // in report order
  std::vector<toml::table> mounts;         // fs.mounts entries gsc adds, parents first
  std::vector<std::string> allowed;        // sgx.allowed_files entries gsc adds ("file:/x")
  std::vector<std::string> trusted_dirs;   // directories whose image files become trusted ("/var/www")
  std::vector<std::string> not_trusted;    // paths whose image files gsc must not list as trusted
};

// The checks of the command line's choices that need no image files, run before any docker
// work: a choice over /gramine or gsc's /etc files, `trusted` for host data, a path chosen twice.
void check_choices(const toml::table& user_manifest, const std::vector<std::string>& volumes,
                   const std::vector<MountChoice>& choices);

// Decides every place. Throws a usage error for a choice that cannot work (a relative path,
// `trusted` for host data, two choices for one path).
PlacesPlan plan_places(const toml::table& user_manifest, const PlacesInput& input);

// Adds the plan's mounts (each before the first mount of the user's below it, so no mount of
// gsc's hides one of the user's) and allowed files to the manifest.
void add_places(toml::table& manifest, const PlacesPlan& plan);

// --- /etc/hosts, /etc/hostname, /etc/resolv.conf

// Docker rewrites these three in every container, so their build-time contents cannot be
// trusted files. gsc writes fixed, trusted /etc/hosts and /etc/hostname into the image and
// mounts them there; Gramine provides /etc/resolv.conf. A user manifest that mounts or lists
// one of them keeps its own.
struct EtcFiles {
  bool hosts = false;
  bool hostname = false;
  bool resolv_conf = false;  // sys.enable_extra_runtime_domain_names_conf
};

inline constexpr const char* kHostsFile = "/gramine/app_files/hosts";
inline constexpr const char* kHostnameFile = "/gramine/app_files/hostname";

EtcFiles etc_files_to_provide(const toml::table& user_manifest);
std::string hosts_text();     // localhost for IPv4 and IPv6
std::string hostname_text();  // "localhost"

// Adds the mounts (and the resolv.conf option) for what gsc provides; returns the report line.
std::string add_etc_files(toml::table& manifest, const EtcFiles& files);

}  // namespace gsc::manifest
