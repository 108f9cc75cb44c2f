#include "tar/reader.hpp"

#include <archive_entry.h>

#include <cstdio>

#include "gsc/error.hpp"

namespace gsc::tar {

std::string printable_path(const std::string& path, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (out.size() >= limit) return out + "...";
    const auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c >= 0x7f || c == '`') {
      char buffer[5];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string normalize_path(const std::string& raw) {
  std::string out = "/";
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t j = raw.find('/', i);
    if (j == std::string::npos) j = raw.size();
    const std::string part = raw.substr(i, j - i);
    if (part == "..")
      throw Error(ErrorCategory::daemon_api, "The tar stream has an entry `" + printable_path(raw) +
                                                 "` that leaves its root (`..`): the stream is damaged or was tampered "
                                                 "with. Check the daemon gsc talks to (DOCKER_HOST).");
    if (!part.empty() && part != ".") {
      if (out.size() > 1) out += '/';
      out += part;
    }
    i = j + 1;
  }
  return out;
}

la_ssize_t Reader::on_read(struct archive* a, void* self, const void** buffer) {
  auto* reader = static_cast<Reader*>(self);
  try {
    const std::size_t n = reader->source_.read(reader->block_.data(), reader->block_.size());
    *buffer = reader->block_.data();
    return static_cast<la_ssize_t>(n);
  } catch (const std::exception& e) {
    archive_set_error(a, EIO, "%s", e.what());
    return -1;
  }
}

Reader::Reader(ByteSource& source) : source_(source), block_(256 * 1024), archive_(archive_read_new()) {
  archive_read_support_format_tar(archive_);
  archive_read_support_format_gnutar(archive_);
  if (archive_read_open(archive_, this, nullptr, &Reader::on_read, nullptr) != ARCHIVE_OK)
    throw Error(ErrorCategory::daemon_api, std::string("Cannot read the tar stream: ") + archive_error_string(archive_));
}

Reader::~Reader() { archive_read_free(archive_); }

std::optional<Entry> Reader::next() {
  struct archive_entry* e = nullptr;
  const int status = archive_read_next_header(archive_, &e);
  if (status == ARCHIVE_EOF) return std::nullopt;
  if (status < ARCHIVE_WARN)
    throw Error(ErrorCategory::daemon_api, std::string("Cannot read the tar stream: ") + archive_error_string(archive_));
  Entry out;
  const char* name = archive_entry_pathname(e);
  out.path = normalize_path(name ? name : "");
  out.mode = archive_entry_perm(e);
  out.size = static_cast<std::uint64_t>(archive_entry_size(e));
  if (const char* hard = archive_entry_hardlink(e)) {
    out.type = EntryType::hardlink;
    out.link_target = normalize_path(hard);
    return out;
  }
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: out.type = EntryType::file; break;
    case AE_IFDIR: out.type = EntryType::directory; break;
    case AE_IFLNK:
      out.type = EntryType::symlink;
      out.link_target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
      break;
    default: out.type = EntryType::other; break;
  }
  return out;
}

std::size_t Reader::read(void* buffer, std::size_t size) {
  const la_ssize_t n = archive_read_data(archive_, buffer, size);
  if (n < 0)
    throw Error(ErrorCategory::daemon_api, std::string("Cannot read the tar stream: ") + archive_error_string(archive_));
  return static_cast<std::size_t>(n);
}

std::string Reader::read_all() {
  std::string out;
  char chunk[64 * 1024];
  while (const std::size_t n = read(chunk, sizeof chunk)) out.append(chunk, n);
  return out;
}

}  // namespace gsc::tar
