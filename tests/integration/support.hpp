#pragma once
// Helpers for the black-box integration suites: run the gsc CLI and the docker CLI, make
// throwaway files, and remove every image a test made, even when it fails.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace gsc_test {

struct Run {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Single-quotes a word for /bin/sh.
inline std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command line, capturing stdout and stderr separately.
inline Run sh(const std::string& command) {
  char out_tpl[] = "/tmp/gsc-test-out.XXXXXX", err_tpl[] = "/tmp/gsc-test-err.XXXXXX";
  const int out_fd = mkstemp(out_tpl), err_fd = mkstemp(err_tpl);
  close(out_fd);
  close(err_fd);
  const std::string full = "(" + command + ") >" + out_tpl + " 2>" + err_tpl + " </dev/null";
  const int raw = std::system(full.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(out_tpl);
  r.err = slurp(err_tpl);
  std::filesystem::remove(out_tpl);
  std::filesystem::remove(err_tpl);
  return r;
}

// Runs the gsc CLI under test with the given arguments (each quoted).
// The gsc CLI with `args`, its environment preceded by `env` ("K=V K2=V2 ", shell words).
inline Run gsc_with(const std::string& env, const std::vector<std::string>& args) {
  std::string cmd = env + sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc"));
  for (const auto& a : args) cmd += " " + sh_quote(a);
  return sh(cmd);
}

inline Run gsc(const std::vector<std::string>& args) { return gsc_with("", args); }

// gsc failed with `status` and one line `gsc: error: ...` (after a failing docker build, exit 4,
// the failing step's output follows that line).
inline void expect_one_line_error(const Run& r, int status) {
  INFO(r.err);
  CHECK(r.status == status);
  const auto at = r.err.find("gsc: error: ");
  REQUIRE(at != std::string::npos);
  if (status != 4) CHECK(r.err.find('\n', at) == r.err.size() - 1);
}

// The containers a gsc process left behind: labelled gsc.owner=PID@HOST with HOST this host
// and no process PID any more (a live gsc's containers, from another test on the shared
// daemon, are in use, not left behind). gsc labels every container it creates with its
// owner; containers a test runs from a graminized image carry only the image's labels
// (gsc.tool among them) and are that test's. One line per container.
inline std::string dead_gsc_containers() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string out;
  std::istringstream lines(sh("docker ps -a --filter label=gsc.owner --format '{{.ID}} {{.Label \"gsc.owner\"}}'").out);
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    const std::string owner = space == std::string::npos ? "" : line.substr(space + 1);
    const auto at = owner.find('@');
    if (at == std::string::npos || owner.substr(at + 1) != host) continue;
    const long pid = std::atol(owner.substr(0, at).c_str());
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) out += line + "\n";
  }
  return out;
}

inline bool image_exists(const std::string& name) {
  return sh("docker image inspect " + sh_quote(name)).status == 0;
}

// The ids of every image the daemon has, intermediate ones included.
inline std::set<std::string> all_images() {
  std::set<std::string> out;
  std::istringstream in(sh("docker images -aq --no-trunc").out);
  for (std::string id; in >> id;) out.insert(id);
  return out;
}

// A fresh name unique to this test run, e.g. "gsc-test-app/a1b2c3".
inline std::string unique_name(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream ss;
  ss << prefix << "-" << std::hex << (rng() & 0xffffffffffULL);
  return ss.str();
}

// A temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    char tpl[] = "/tmp/gsc-test.XXXXXX";
    if (!mkdtemp(tpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Removes the listed images (and their gsc-derived names) at scope exit.
class ImageGuard {
 public:
  ImageGuard() = default;
  explicit ImageGuard(std::vector<std::string> names) : names_(std::move(names)) {}
  ~ImageGuard() {
    for (auto it = names_.rbegin(); it != names_.rend(); ++it) sh("docker rmi -f " + sh_quote(*it));
  }
  void add(const std::string& name) { names_.push_back(name); }
  // The app image and what gsc makes of it: gsc-NAME-unsigned, gsc-NAME.
  void add_app(const std::string& name) {
    add(name);
    add("gsc-" + name + "-unsigned");
    add("gsc-" + name);
  }

 private:
  std::vector<std::string> names_;
};

// Builds an app image from a Dockerfile text (and extra files) with the docker CLI. A label
// naming the tag follows the last FROM, so no two tests (which run side by side) share the
// final stage's images or its cached steps: one test removing its image never takes another's.
// (Earlier stages stay as written: their steps are cache only, no image's parents.)
inline void docker_build(const std::string& tag, const std::string& dockerfile,
                         const std::vector<std::pair<std::string, std::string>>& files = {}) {
  TempDir dir;
  std::string text = dockerfile;
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::size_t after_last_from = std::string::npos;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t next = text.find('\n', at) + 1;
    const std::size_t first = text.find_first_not_of(" \t", at);
    if (first < next && (text.compare(first, 5, "FROM ") == 0 || text.compare(first, 5, "from ") == 0))
      after_last_from = next;
    at = next;
  }
  if (after_last_from != std::string::npos) text.insert(after_last_from, "LABEL gsc.test.name=\"" + tag + "\"\n");
  write_file(dir.path() / "Dockerfile", text);
  for (const auto& [name, content] : files) write_file(dir.path() / name, content);
  const Run r = sh("docker build -q --label gsc.test=1 -t " + sh_quote(tag) + " " + sh_quote(dir.path().string()));
  if (r.status != 0) throw std::runtime_error("docker build of " + tag + " failed: " + r.err + r.out);
}

// The Gramine image the suites run against: the stand-in by default, the real one when
// GSC_TEST_GRAMINE=real (and it exists).
inline std::string gramine_image() {
  if (env_or("GSC_TEST_GRAMINE", "standin") == "real") return "gsc-test/gramine:1.9";
  return "gsc-test/gramine-standin:1.9";
}

// A config.yaml using that Gramine image.
inline std::string write_config(const TempDir& dir, const std::string& gramine = gramine_image(),
                                const std::string& distro = "debian:12") {
  const std::string path = dir / "config.yaml";
  write_file(path, "Distro: \"" + distro + "\"\nGramine:\n  Image: \"" + gramine + "\"\n");
  return path;
}

// The stand-in Gramine's source as a git repository in `dir`/gramine-src (branches gsc-test,
// broken, slow: see tests/fixtures/make-gramine-repo.sh).
inline std::string make_gramine_repo(const TempDir& dir) {
  const std::string repo = dir / "gramine-src";
  const Run r = sh(sh_quote(std::string(GSC_TEST_SOURCE_DIR) + "/tests/fixtures/make-gramine-repo.sh") + " " +
                   sh_quote(repo) + " " + sh_quote(std::string(GSC_TEST_BINARY_DIR) + "/fixtures/bin"));
  if (r.status != 0) throw std::runtime_error("make-gramine-repo.sh failed: " + r.err);
  return repo;
}

// config.yaml compiling Gramine from `repository` at `branch` on Debian 12 (gsc-test/debian:12).
inline std::string write_compile_config(const TempDir& dir, const std::string& repository, const std::string& branch,
                                        const std::string& name = "config.yaml") {
  const std::string path = dir / name;
  write_file(path, "Distro: \"debian:12\"\nRegistry: \"gsc-test\"\nGramine:\n  Repository: \"" + repository +
                       "\"\n  Branch: \"" + branch + "\"\n");
  return path;
}

// Starts the gsc CLI with `args` in a process of its own (stdout to /dev/null, stderr to
// `stderr_path`), its pid.
inline pid_t spawn_gsc(const std::vector<std::string>& args, const std::string& stderr_path = "/dev/null") {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<std::string> storage{env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (!freopen("/dev/null", "w", stdout) || !freopen(stderr_path.c_str(), "w", stderr)) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits until `done()` holds, polling every `step`, for at most `limit`; whether it does.
inline bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(60),
                       std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

// The exit status of child `pid` as a shell reports it (128 + signal when killed).
inline int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Starts the gsc CLI with `args`, waits (up to a minute) until `working()` holds, so that the
// interrupt lands mid-work, sends SIGINT, returns gsc's exit status.
inline int interrupt_when(const std::vector<std::string>& args, const std::function<bool()>& working) {
  const pid_t pid = spawn_gsc(args);
  wait_until(working);
  kill(pid, SIGINT);
  return wait_status(pid);
}

}  // namespace gsc_test
