#pragma once
// A streaming tar reader over a ByteSource: entries one by one, data in chunks, so an image
// export of any size passes through in bounded memory.

#include <archive.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gsc/byte_source.hpp"

namespace gsc::tar {

enum class EntryType { file, directory, symlink, hardlink, other };

struct Entry {
  std::string path;         // absolute, normalized: "/usr/bin/env" ("/" for the root)
  EntryType type = EntryType::other;
  unsigned mode = 0;
  std::uint64_t size = 0;
  std::string link_target;  // symlink target as stored; hardlink target as an absolute path
};

class Reader {
 public:
  explicit Reader(ByteSource& source);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The next entry's header, std::nullopt at the end. Unread data of the previous entry is skipped.
  std::optional<Entry> next();
  // Reads up to `size` bytes of the current entry's data; 0 at its end.
  std::size_t read(void* buffer, std::size_t size);
  // The current entry's remaining data (for small files).
  std::string read_all();

 private:
  static la_ssize_t on_read(struct archive*, void* self, const void** buffer);
  ByteSource& source_;
  std::vector<char> block_;
  struct archive* archive_ = nullptr;
};

// Normalizes a path from a tar header into "/a/b" form ("./a/b/" -> "/a/b", "." -> "/").
// A ".." component is refused (a gsc::Error naming the entry): no archive the daemon writes of
// a filesystem has one, and kept it would make paths outside the root ("/../../x").
std::string normalize_path(const std::string& raw);

// A path as it can go into a one-line message: control and non-ASCII bytes as \xNN, at most
// `limit` bytes of it shown ("..." marks the cut).
std::string printable_path(const std::string& path, std::size_t limit = 200);

}  // namespace gsc::tar
