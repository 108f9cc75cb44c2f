#pragma once
// Times the named phases of an operation, for results (`--format json`) and benchmarks.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gsc/ops.hpp"
#include "ops/operation_run.hpp"

namespace gsc::ops {

// A step announcement that belongs to the phase it announces (sent before that phase runs).
inline void report_step(const ProgressFn& fn, Phase phase, std::string text) {
  if (fn) fn(ProgressEvent{ProgressEvent::Kind::step, std::move(text), phase});
}

// The Phase whose to_string is `name`, Phase::none for a name that is none of them.
Phase phase_named(const std::string& name);

class Phases {
 public:
  // Runs fn, records how long it took under `name`, returns what fn returned.
  template <typename Fn>
  auto run(std::string name, Fn&& fn) {
    check_stop();  // a stopped operation starts no further phase
    const auto start = std::chrono::steady_clock::now();
    const Phase entered = phase_named(name);
    struct Record {
      Phases& self;
      std::string name;
      std::chrono::steady_clock::time_point start;
      Phase previous;
      ~Record() {
        self.current_ = previous;
        self.timings_.push_back({std::move(name), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      std::chrono::steady_clock::now() - start)});
      }
    } record{*this, std::move(name), start, current_};
    current_ = entered;
    return fn();
  }

  // The caller's callback, each event stamped with the phase it happens in (events are sent
  // on the operation's thread, the one that runs the phases). Empty when fn is.
  ProgressFn stamp(const ProgressFn& fn) {
    if (!fn) return {};
    return [this, fn](const ProgressEvent& event) {
      if (event.phase != Phase::none || current_ == Phase::none) return fn(event);
      ProgressEvent stamped = event;
      stamped.phase = current_;
      fn(stamped);
    };
  }

  Phase current() const { return current_; }

  const std::vector<PhaseTiming>& timings() const { return timings_; }

 private:
  std::vector<PhaseTiming> timings_;
  Phase current_ = Phase::none;
};

}  // namespace gsc::ops
