#pragma once
// Tar streams as a crafted image export could be: entries in any order, the same path twice,
// hard links to anything, fifos and devices, names tar::Writer would never write (".."). For
// the unit suites of the modules that read exports (tar, image).

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace gsc_test {

class RawTar {
 public:
  RawTar() : archive_(archive_write_new(), archive_write_free), entry_(archive_entry_new(), archive_entry_free) {
    archive_write_set_format_pax_restricted(archive_.get());
    archive_write_set_bytes_in_last_block(archive_.get(), 1);
    archive_write_open(
        archive_.get(), &out_, nullptr,
        [](struct archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
          static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
          return static_cast<la_ssize_t>(size);
        },
        nullptr);
  }

  RawTar& file(const std::string& path, const std::string& content, unsigned mode = 0644) {
    start(path, AE_IFREG, mode);
    archive_entry_set_size(entry_.get(), static_cast<la_int64_t>(content.size()));
    write_header();
    if (!content.empty()) archive_write_data(archive_.get(), content.data(), content.size());
    return *this;
  }
  RawTar& directory(const std::string& path) { return plain(path, AE_IFDIR, 0755); }
  RawTar& fifo(const std::string& path) { return plain(path, AE_IFIFO, 0644); }
  RawTar& char_device(const std::string& path) { return plain(path, AE_IFCHR, 0666); }
  RawTar& symlink(const std::string& path, const std::string& target) {
    start(path, AE_IFLNK, 0777);
    archive_entry_set_symlink(entry_.get(), target.c_str());
    write_header();
    return *this;
  }
  RawTar& hardlink(const std::string& path, const std::string& target) {
    start(path, AE_IFREG, 0644);
    archive_entry_set_hardlink(entry_.get(), target.c_str());
    archive_entry_set_size(entry_.get(), 0);
    write_header();
    return *this;
  }

  std::string finish() {
    archive_write_close(archive_.get());
    return out_;
  }

 private:
  RawTar& plain(const std::string& path, unsigned type, unsigned mode) {
    start(path, type, mode);
    write_header();
    return *this;
  }
  void start(const std::string& path, unsigned type, unsigned mode) {
    archive_entry_clear(entry_.get());
    archive_entry_set_pathname(entry_.get(), path.c_str());
    archive_entry_set_filetype(entry_.get(), type);
    archive_entry_set_perm(entry_.get(), mode);
  }
  void write_header() {
    // A name that is not UTF-8 only warns (pax cannot say it as UTF-8): written as it is.
    if (archive_write_header(archive_.get(), entry_.get()) < ARCHIVE_WARN)
      throw std::runtime_error(std::string("RawTar: ") + archive_error_string(archive_.get()));
  }

  std::string out_;
  std::unique_ptr<struct archive, decltype(&archive_write_free)> archive_;
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry_;
};

}  // namespace gsc_test
