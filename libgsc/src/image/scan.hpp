#pragma once
// An image's filesystem, read in one streaming pass over a container export: every path's
// type and symlink target, every regular file's size and SHA-256. Nothing of the image is
// kept but that (and the few small files asked for), so memory stays flat in its size.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "gsc/byte_source.hpp"

namespace gsc::image {

struct Node {
  enum class Type { file, directory, symlink, other };
  Type type = Type::other;
  std::uint64_t size = 0;
  unsigned mode = 0;
  std::string sha256;  // files: lowercase hex
  // Symlinks: the target as stored. Files with hard links: the first path of the group (the
  // same for every name of that file, the first one included); "" for a file of one name.
  std::string target;
};

struct Filesystem {
  std::unordered_map<std::string, Node> nodes;                 // "/usr/bin/env" -> node ("/" is the root)
  std::map<std::string, std::set<std::string>> children;       // directory -> names, sorted
  std::map<std::string, std::string> captured;                 // path -> content (files asked for)
  std::map<std::string, std::string> script_heads;             // executable files starting with "#!": first 256 bytes
};

// Limits a real image never reaches, so that no image content takes gsc's memory or time.
inline constexpr std::size_t kMaxPath = 4096;                     // PATH_MAX: a path or link target, with its NUL
inline constexpr std::uint64_t kMaxCapturedFile = 1 << 20;        // one captured configuration file
inline constexpr std::uint64_t kMaxCapturedTotal = 16 << 20;      // all of them

struct ScanOptions {
  // Which files' contents to keep (small config files: os-release, ld.so.conf ...).
  std::function<bool(const std::string& path)> capture;
  // Hashing threads; 0 = all cores.
  unsigned threads = 0;
  // Called on the thread that calls scan() (never a hashing worker) with the files and bytes
  // read so far: every kProgressBytes or kProgressInterval, whichever comes first, and once at
  // the end (finished = true).
  std::function<void(std::uint64_t files, std::uint64_t bytes, bool finished)> on_progress;
  // Checked between files and chunks (and by the hashing threads between files): once stop
  // is requested, scan() drops its queued work and throws ErrorCategory::cancelled.
  std::stop_token stop;
};

inline constexpr std::uint64_t kProgressBytes = 64 << 20;
inline constexpr int kProgressIntervalMs = 250;

struct ScanResult {
  Filesystem fs;
  std::uint64_t files = 0;
  std::uint64_t bytes_hashed = 0;
};

// Reads a tar stream of a whole filesystem (GET /containers/{id}/export) once. A path or
// link target of kMaxPath bytes or more, or a captured file beyond the kMaxCaptured* limits,
// is an input error naming it; a ".." in a path, a daemon_api error (see tar::normalize_path).
ScanResult scan(ByteSource& export_stream, const ScanOptions& options);

// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b".
std::string join_path(const std::string& dir, const std::string& name);

// The SHA-256 of bytes as lowercase hex.
std::string sha256_hex(const std::string& bytes);

// The real path `path` leads to, following symlinks at every component (absolute and
// relative targets, ".."). std::nullopt when it leads nowhere; a gsc::Error for a loop.
std::optional<std::string> resolve(const Filesystem& fs, const std::string& path);

// The node `path` leads to (following symlinks), or nullptr.
const Node* resolve_node(const Filesystem& fs, const std::string& path);

// The first bytes of an executable script (its #! line), following symlinks; "" for anything else.
std::string script_head(const Filesystem& fs, const std::string& path);

// Content of a captured file, following symlinks (/etc/os-release -> ../usr/lib/os-release).
std::optional<std::string> captured_content(const Filesystem& fs, const std::string& path);

// Where `name` is found along a PATH value, like `which` (first executable regular file):
// the path in the PATH directory, not its resolution.
std::optional<std::string> lookup_in_path(const Filesystem& fs, const std::string& path_value,
                                          const std::string& name);

// The library directories the image's dynamic linker knows, in order: the /etc/ld.so.conf
// tree (include globs followed), then /lib and /usr/lib. Only directories that exist.
std::vector<std::string> library_dirs(const Filesystem& fs);

struct UserIds {
  unsigned long uid = 0;
  unsigned long gid = 0;
};

// The ids of a Dockerfile USER value ("name", "uid", "name:group", "uid:gid") from the
// image's /etc/passwd and /etc/group (captured). An unknown name is an input error.
UserIds resolve_user(const Filesystem& fs, const std::string& user);

// The files scan() must capture for captured_content/library_dirs/distro detection.
bool is_config_file_of_interest(const std::string& path);
// Names what a scan keeps: change it whenever is_config_file_of_interest or what a Node holds
// changes (cached scans of the old kind are then not used). v2: hard-link groups in
// Node::target, hard links to fifos, devices and symlinks typed as such, captures bounded.
inline constexpr const char* kCaptureProfile = "config-v2+heads+links";

}  // namespace gsc::image
