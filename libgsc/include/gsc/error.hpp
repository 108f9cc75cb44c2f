#pragma once
// gsc::Error: the one exception type libgsc throws (BuildError and ApiError derive from it).
// It carries a category that tells the caller what kind of failure it is, and a one-line
// message in the original GSC's tone: it names the thing in backticks and says what to do
// next. (The gsc CLI maps categories to its exit statuses; the library has none.)

#include <stdexcept>
#include <string>

#include "gsc/export.hpp"

namespace gsc {

enum class ErrorCategory {
  invalid_argument,    // a value of the caller's options is invalid: an image name, a build type,
                       // a mount choice, a date, options that exclude each other
  usage = invalid_argument,  // its former name (before 0.2)
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
GSC_API const char* to_string(ErrorCategory category) noexcept;

class GSC_API Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, const std::string& message)
      : std::runtime_error(message), category_(category) {}
  ~Error() override;  // defined in libgsc: its typeinfo and vtable live there
  ErrorCategory category() const noexcept { return category_; }

 private:
  ErrorCategory category_;
};

// A docker build that failed: what() is the daemon's error; step() the failing step
// ("Step 3/5 : RUN false" or "RUN false"), output() the lines that step printed.
class GSC_API BuildError : public Error {
 public:
  BuildError(const std::string& message, std::string step, std::string output)
      : Error(ErrorCategory::build_failed, message), step_(std::move(step)), output_(std::move(output)) {}
  ~BuildError() override;
  const std::string& step() const noexcept { return step_; }
  const std::string& output() const noexcept { return output_; }

 private:
  std::string step_;
  std::string output_;
};

// A non-2xx answer of the Docker Engine API: status and the daemon's own message.
class GSC_API ApiError : public Error {
 public:
  ApiError(ErrorCategory category, int status, const std::string& message)
      : Error(category, message), status_(status) {}
  ~ApiError() override;
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace gsc
