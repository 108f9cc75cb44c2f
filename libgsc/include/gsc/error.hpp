#pragma once
// gsc::Error: the one exception type libgsc throws. It carries a category that tells the
// caller (and the CLI's exit code) what kind of failure it is, and a one-line message in
// the original GSC's tone: it names the thing in backticks and says what to do next.

#include <stdexcept>
#include <string>

namespace gsc {

enum class ErrorCategory {
  usage,               // bad command line (unknown flag, missing argument)
  input,               // bad user input: config, manifest, key file, image config
  not_found,           // an image, container or file that must exist does not
  conflict,            // the daemon refused because something already exists / is in use
  daemon_unavailable,  // no daemon at the socket, permission denied, connection broke
  daemon_api,          // the daemon answered with an error status
  build_failed,        // a docker build step failed
  signature,           // a key, passphrase or SIGSTRUCT is wrong
  cancelled,           // stopped on request (OperationContext::stop; the CLI: Ctrl-C)
  internal,            // a bug of gsc
};

// Human-readable name of a category ("not found", "daemon unavailable", ...).
const char* to_string(ErrorCategory category) noexcept;

// Exit status the CLI uses for a category. Documented in README.md:
// 1 input (incl. not found), 2 usage, 3 daemon, 4 build failure, 5 signature, 130 cancelled, 70 internal.
int exit_code(ErrorCategory category) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, const std::string& message)
      : std::runtime_error(message), category_(category) {}
  ErrorCategory category() const noexcept { return category_; }

 private:
  ErrorCategory category_;
};

// A docker build that failed: what() is the daemon's error; step() the failing step
// ("Step 3/5 : RUN false" or "RUN false"), output() the lines that step printed.
class BuildError : public Error {
 public:
  BuildError(const std::string& message, std::string step, std::string output)
      : Error(ErrorCategory::build_failed, message), step_(std::move(step)), output_(std::move(output)) {}
  const std::string& step() const noexcept { return step_; }
  const std::string& output() const noexcept { return output_; }

 private:
  std::string step_;
  std::string output_;
};

// A non-2xx answer of the Docker Engine API: status and the daemon's own message.
class ApiError : public Error {
 public:
  ApiError(ErrorCategory category, int status, const std::string& message)
      : Error(category, message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace gsc
