#include "passphrase.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "gsc/error.hpp"

namespace po = boost::program_options;

namespace gsc::cli {
namespace {

constexpr std::size_t kMaxPassphrase = 4096;

// Everything until the first newline (or the end), at most kMaxPassphrase bytes.
std::string read_line_from(int fd, const std::string& what) {
  std::string out;
  char c;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorCategory::input, "Cannot read the passphrase from " + what + ": " + std::strerror(errno) + ".");
    if (n == 0 || c == '\n') break;
    out.push_back(c);
    if (out.size() > kMaxPassphrase) throw Error(ErrorCategory::input, "The passphrase from " + what + " is longer than 4 KiB.");
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

bool key_is_encrypted(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  const std::string head(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  return head.find("ENCRYPTED") != std::string::npos;
}

std::atomic<int> tty_fd{-1};
termios saved{};

std::optional<std::string> prompt(const std::string& key_path) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  termios t{};
  if (::tcgetattr(fd, &t) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  saved = t;
  tty_fd = fd;
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(fd, TCSAFLUSH, &t);
  const std::string question = "Passphrase of " + key_path + ": ";
  (void)!::write(fd, question.data(), question.size());
  std::string answer;
  try {
    answer = read_line_from(fd, "the terminal");
  } catch (...) {
    restore_terminal();
    throw;
  }
  restore_terminal();
  return answer;
}

}  // namespace

void restore_terminal() noexcept {
  const int fd = tty_fd.exchange(-1);
  if (fd < 0) return;
  ::tcsetattr(fd, TCSAFLUSH, &saved);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
}

void add_passphrase_flags(po::options_description& o) {
  o.add_options()
    ("passphrase,p", po::value<std::string>(), "passphrase of the signing key (alias: --password; visible to `ps`: prefer the next ones)")
    ("passphrase-file", po::value<std::string>(), "read the passphrase from the first line of FILE")
    ("passphrase-fd", po::value<int>(), "read the passphrase from file descriptor N (up to a newline)")
    ("passphrase-env", po::value<std::string>(), "take the passphrase from environment variable VAR");
}

std::optional<std::string> passphrase_from(const po::variables_map& vm, const std::string& key_path) {
  int given = 0;
  for (const char* flag : {"passphrase", "passphrase-file", "passphrase-fd", "passphrase-env"}) given += vm.count(flag) ? 1 : 0;
  if (given > 1)
    throw Error(ErrorCategory::invalid_argument, "give the passphrase one way: `-p`, `--passphrase-file`, `--passphrase-fd` or `--passphrase-env`.");
  if (vm.count("passphrase")) return vm["passphrase"].as<std::string>();
  if (vm.count("passphrase-file")) {
    const std::string path = vm["passphrase-file"].as<std::string>();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCategory::input, "Cannot read the passphrase file `" + path + "`. Check the path.");
    std::string p;
    try {
      p = read_line_from(fd, "`" + path + "`");
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    return p;
  }
  if (vm.count("passphrase-fd")) {
    const int fd = vm["passphrase-fd"].as<int>();
    if (fd < 0 || ::fcntl(fd, F_GETFD) < 0)
      throw Error(ErrorCategory::invalid_argument, "`--passphrase-fd " + std::to_string(fd) + "` is not an open file descriptor.");
    return read_line_from(fd, "file descriptor " + std::to_string(fd));
  }
  if (vm.count("passphrase-env")) {
    const std::string name = vm["passphrase-env"].as<std::string>();
    const char* v = std::getenv(name.c_str());
    if (!v) throw Error(ErrorCategory::input, "The environment variable `" + name + "` (--passphrase-env) is not set.");
    return std::string(v);
  }
  if (key_is_encrypted(key_path)) return prompt(key_path);
  return std::nullopt;
}

}  // namespace gsc::cli
