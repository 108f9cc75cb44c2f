#pragma once
// Running graminized images in the integration suites: under the direct PAL (no SGX here),
// as servers in the background, reading their files; containers and volumes removed at scope
// exit, also when a test fails.

#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "integration/support.hpp"

namespace gsc_test {

inline bool real_gramine() { return gramine_image() == "gsc-test/gramine:1.9"; }

// Real Gramine's direct PAL needs syscalls Docker's default seccomp profile forbids.
inline const char* kDirect = "--security-opt seccomp=unconfined -e GRAMINE_MODE=direct";

// docker run --rm of a graminized image under the direct PAL; `docker_args` go before the image.
inline Run run_direct(const std::string& image, const std::vector<std::string>& args = {},
                      const std::string& docker_args = "") {
  std::string cmd = std::string("docker run --rm ") + kDirect + " " + docker_args + " " + sh_quote(image);
  for (const auto& a : args) cmd += " " + sh_quote(a);
  return sh(cmd);
}

// A file of an image, read with `docker run --entrypoint cat` ("" when it cannot be read).
inline std::string cat_in(const std::string& image, const std::string& path) {
  return sh("docker run --rm --entrypoint /bin/cat " + sh_quote(image) + " " + sh_quote(path)).out;
}

inline std::string manifest_of(const std::string& image) {
  return cat_in(image, "/gramine/app_files/entrypoint.manifest");
}

// `uri = "file:/x", sha256 = "h"` pairs of a manifest's sgx.trusted_files (gsc writes that
// array one entry per line, up to a line "]").
inline std::map<std::string, std::string> trusted_files_of(const std::string& manifest) {
  std::map<std::string, std::string> out;
  const auto start = manifest.find("\nsgx.trusted_files = [");
  if (start == std::string::npos) return out;
  const auto end = manifest.find("\n]", start);
  const std::string list = manifest.substr(start, end == std::string::npos ? std::string::npos : end - start);
  static const std::regex entry(R"re(uri = "file:([^"]+)", sha256 = "([0-9a-f]{64})")re");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), entry); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

// Whether the manifest holds the line `key = value` (as gsc writes it: one dotted key per line).
inline bool has_line(const std::string& manifest, const std::string& line) {
  return manifest.find("\n" + line + "\n") != std::string::npos || manifest.rfind(line + "\n", 0) == 0;
}

// The one line of `text` that starts with `prefix`, "" when none.
inline std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

// Removes the named containers (docker rm -f) at scope exit.
class ContainerGuard {
 public:
  ~ContainerGuard() {
    for (const auto& name : names_) sh("docker rm -f " + sh_quote(name));
  }
  const std::string& add(const std::string& name) { return names_.emplace_back(name); }

 private:
  std::vector<std::string> names_;
};

// Removes the named docker volumes at scope exit (after the containers using them).
class VolumeGuard {
 public:
  ~VolumeGuard() {
    for (const auto& name : names_) sh("docker volume rm -f " + sh_quote(name));
  }
  const std::string& add(const std::string& name) { return names_.emplace_back(name); }

 private:
  std::vector<std::string> names_;
};

// Starts a graminized server in the background under the direct PAL; returns docker's status.
inline Run start_server(const std::string& container, const std::string& image, const std::string& docker_args = "") {
  return sh(std::string("docker run -d --name ") + sh_quote(container) + " " + kDirect + " " + docker_args + " " +
            sh_quote(image));
}

// Runs `command` in the container (docker exec) until it succeeds, at most `tries` times a
// second apart; the last run's result.
inline Run exec_until_ok(const std::string& container, const std::string& command, int tries = 60) {
  Run r;
  for (int i = 0; i < tries; ++i) {
    r = sh("docker exec " + sh_quote(container) + " sh -c " + sh_quote(command));
    if (r.status == 0) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return r;
}

struct Stopped {
  double seconds = 0;
  int exit_code = -1;
  bool oom_or_killed = false;  // docker stop's SIGKILL after its timeout gives 137
};

// docker stop (timeout 10 s, docker's default), how long it took and how the app ended.
// `docker stop` with 2 s of grace: an app still running then is killed (exit status 137), so a
// clean exit status proves it stopped on SIGTERM within 2 s.
inline Stopped stop_container(const std::string& container) {
  const auto start = std::chrono::steady_clock::now();
  sh("docker stop -t 2 " + sh_quote(container));
  Stopped s;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Run code = sh("docker inspect -f '{{.State.ExitCode}}' " + sh_quote(container));
  s.exit_code = std::atoi(code.out.c_str());
  s.oom_or_killed = s.exit_code == 137;
  return s;
}

}  // namespace gsc_test
