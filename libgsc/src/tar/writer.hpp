#pragma once
// A deterministic tar archive built in memory: entries sorted by path, fixed mtime, uid and
// gid 0, no user or group names, modes kept. Same entries in any order -> same bytes.
// Used for build contexts and for files put into containers.

#include <filesystem>
#include <map>
#include <string>

namespace gsc::tar {

class Writer {
 public:
  // A regular file at `path` (relative, '/'-separated) with `content`.
  void add_file(const std::string& path, std::string content, unsigned mode = 0644);
  // A directory (parents of files are added implicitly with mode 0755).
  void add_directory(const std::string& path, unsigned mode = 0755);
  // A symbolic link at `path` pointing to `target`.
  void add_symlink(const std::string& path, const std::string& target);
  // Everything under the host directory `dir`, at `prefix` (files keep only their owner's
  // execute bit: 0755 or 0644; symlinks are kept as links). Sockets and fifos are skipped.
  void add_tree(const std::filesystem::path& dir, const std::string& prefix);
  // The archive's bytes (ustar/pax, uncompressed).
  std::string finish() const;
  // Writes the entries as files under `dir`, a new or empty directory (created if needed):
  // a build context on disk.
  void write_to(const std::filesystem::path& dir) const;

 private:
  struct Entry {
    enum class Type { file, directory, symlink } type;
    std::string content;  // file content or link target
    unsigned mode;
  };
  void add_parents(const std::string& path);
  std::map<std::string, Entry> entries_;
};

}  // namespace gsc::tar
