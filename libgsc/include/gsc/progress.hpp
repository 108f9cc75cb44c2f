#pragma once
// Progress reporting: libgsc never prints. Long operations take a ProgressFn and call it
// with one event per line of output, as it happens.

#include <functional>
#include <string>

namespace gsc {

struct ProgressEvent {
  enum class Kind {
    step,          // gsc starts a phase ("Building stage image gsc-x-stage")
    build_output,  // a line the docker build printed
    info,          // a fact worth telling the user (resolved argv, counts)
    warning,       // something the user should look at; the operation goes on
  };
  Kind kind;
  std::string text;  // one line, without trailing newline
};

using ProgressFn = std::function<void(const ProgressEvent&)>;

// Calls fn if set; helpers use this so a missing callback costs nothing.
inline void report(const ProgressFn& fn, ProgressEvent::Kind kind, std::string text) {
  if (fn) fn(ProgressEvent{kind, std::move(text)});
}

}  // namespace gsc
