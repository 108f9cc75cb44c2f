#include "core/host_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gsc/error.hpp"

namespace gsc {
namespace {

[[noreturn]] void fail(const std::string& path, int error) {
  std::string hint = ".";
  if (error == ENOSPC || error == EDQUOT) hint = ": the disk is full. Free some space or write elsewhere.";
  throw Error(ErrorCategory::input, "Cannot write `" + path + "`: " + std::strerror(error) + hint);
}

}  // namespace

void write_host_file(const std::string& path, const std::string& bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail(path, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail(path, error);
    }
    done += static_cast<std::size_t>(n);
  }
  // A filesystem may report a failed write only now (NFS, some FUSE): close is checked too.
  if (::close(fd) != 0 && errno != EINTR) fail(path, errno);
}

}  // namespace gsc
