#pragma once
// Scan results kept on the host between runs, so that a rebuild whose stage image did not
// change skips the export and the hashing. The key is the scanned image's id, which the
// daemon derives from the image's content: a changed file is a different image and a miss.
//
// Safe with concurrent gsc processes and crashes: an entry is written to a temporary file and
// renamed into place, and carries a SHA-256 of itself, so a damaged or half-written entry is
// never served (it is removed instead). Bounded: the least recently used entries go first.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/scan.hpp"

namespace gsc::image {

class ScanCache {
 public:
  struct Limits {
    std::size_t max_entries = 64;
    std::uint64_t max_bytes = 512ull << 20;
  };

  // `directory` is created (0700) when first written.
  explicit ScanCache(std::string directory, Limits limits);
  explicit ScanCache(std::string directory) : ScanCache(std::move(directory), Limits{}) {}

  // The scan stored under `key`, or std::nullopt (absent, damaged, or of another format).
  std::optional<ScanResult> load(const std::string& key) const;
  // Stores a scan; best effort (a full disk or a read-only cache only costs the next rebuild).
  void store(const std::string& key, const ScanResult& result) const;

  // Any other result derived from an image's content (a list of strings), under the same rules:
  // checksummed, written atomically, evicted with the scans.
  std::optional<std::vector<std::string>> load_strings(const std::string& key) const;
  void store_strings(const std::string& key, const std::vector<std::string>& strings) const;

  const std::string& directory() const { return directory_; }

  // $GSC_CACHE_DIR, else $XDG_CACHE_HOME/gsc, else $HOME/.cache/gsc; with "/scans" appended.
  // "" when none of them is set.
  static std::string default_directory();

 private:
  std::string path_of(const std::string& key) const;
  std::optional<std::string> read_entry(const std::string& key) const;
  void write_entry(const std::string& key, const std::string& bytes) const;
  void evict() const;

  std::string directory_;
  Limits limits_;
};

// The bytes of an entry and back (exposed for tests).
std::string serialize_scan(const ScanResult& result);
std::optional<ScanResult> deserialize_scan(const std::string& bytes);

}  // namespace gsc::image
