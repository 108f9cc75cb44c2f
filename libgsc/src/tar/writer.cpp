#include "tar/writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "core/host_file.hpp"
#include "gsc/error.hpp"

namespace gsc::tar {
namespace {

// Files in a context get this mtime so that the same files give the same bytes (and the
// same docker build cache key) on every run: 2000-01-01T00:00:00Z.
constexpr time_t kFixedMtime = 946684800;

void check(struct archive* a, int status, const std::string& what) {
  if (status < ARCHIVE_OK)
    throw Error(ErrorCategory::internal, "tar: cannot " + what + ": " + archive_error_string(a));
}

}  // namespace

void Writer::add_parents(const std::string& path) {
  for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string parent = path.substr(0, slash);
    if (!parent.empty()) entries_.try_emplace(parent, Entry{Entry::Type::directory, {}, 0755});
  }
}

void Writer::add_file(const std::string& path, std::string content, unsigned mode) {
  add_parents(path);
  entries_[path] = Entry{Entry::Type::file, std::move(content), mode};
}

void Writer::add_directory(const std::string& path, unsigned mode) {
  add_parents(path);
  entries_[path] = Entry{Entry::Type::directory, {}, mode};
}

void Writer::add_symlink(const std::string& path, const std::string& target) {
  add_parents(path);
  entries_[path] = Entry{Entry::Type::symlink, target, 0777};
}

void Writer::add_tree(const std::filesystem::path& dir, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) throw Error(ErrorCategory::input, "Cannot read the directory `" + dir.string() + "`: " + ec.message() + ".");
  add_directory(prefix);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& host = it->path();
    const std::string path = prefix + "/" + host.lexically_relative(dir).generic_string();
    const auto status = it->symlink_status();
    if (fs::is_symlink(status)) {
      add_symlink(path, fs::read_symlink(host).string());
    } else if (fs::is_directory(status)) {
      add_directory(path);
    } else if (fs::is_regular_file(status)) {
      std::ifstream in(host, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      if (!in) throw Error(ErrorCategory::input, "Cannot read `" + host.string() + "`. Check its permissions.");
      const bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
      add_file(path, std::move(content).str(), executable ? 0755 : 0644);
    }
  }
  if (ec) throw Error(ErrorCategory::input, "Cannot read the directory `" + dir.string() + "`: " + ec.message() + ".");
}

void Writer::write_to(const std::filesystem::path& dir) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCategory::input, "Cannot create the directory `" + dir.string() + "`: " + ec.message() + ".");
  for (const auto& [path, entry] : entries_) {  // sorted: a directory comes before what it holds
    const fs::path target = dir / path;
    switch (entry.type) {
      case Entry::Type::directory: fs::create_directories(target, ec); break;
      case Entry::Type::symlink: fs::create_symlink(entry.content, target, ec); break;
      case Entry::Type::file:
        write_host_file(target.string(), entry.content);  // checked to the end: a full disk is an error
        fs::permissions(target, static_cast<fs::perms>(entry.mode), ec);
        break;
    }
    if (ec) throw Error(ErrorCategory::input, "Cannot write `" + target.string() + "`: " + ec.message() + ".");
  }
}

std::string Writer::finish() const {
  std::string out;
  std::unique_ptr<struct archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  check(a.get(), archive_write_set_format_pax_restricted(a.get()), "choose the tar format");
  check(a.get(), archive_write_set_bytes_in_last_block(a.get(), 1), "set the block size");
  check(a.get(),
        archive_write_open(
            a.get(), &out, nullptr,
            [](struct archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
              static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
              return static_cast<la_ssize_t>(size);
            },
            nullptr),
        "open the archive");
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
  for (const auto& [path, entry] : entries_) {  // std::map: sorted by path
    archive_entry_clear(e.get());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_mtime(e.get(), kFixedMtime, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_perm(e.get(), entry.mode);
    switch (entry.type) {
      case Entry::Type::file:
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(entry.content.size()));
        break;
      case Entry::Type::directory:
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        archive_entry_set_size(e.get(), 0);
        break;
      case Entry::Type::symlink:
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_set_symlink(e.get(), entry.content.c_str());
        archive_entry_set_size(e.get(), 0);
        break;
    }
    check(a.get(), archive_write_header(a.get(), e.get()), "write the header of `" + path + "`");
    if (entry.type == Entry::Type::file && !entry.content.empty() &&
        archive_write_data(a.get(), entry.content.data(), entry.content.size()) < 0)
      check(a.get(), ARCHIVE_FATAL, "write `" + path + "`");
  }
  check(a.get(), archive_write_close(a.get()), "close the archive");
  return out;
}

}  // namespace gsc::tar
