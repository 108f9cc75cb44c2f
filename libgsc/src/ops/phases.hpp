#pragma once
// Times the named phases of an operation, for results (`--format json`) and benchmarks.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gsc/ops.hpp"
#include "ops/operation_run.hpp"

namespace gsc::ops {

class Phases {
 public:
  // Runs fn, records how long it took under `name`, returns what fn returned.
  template <typename Fn>
  auto run(std::string name, Fn&& fn) {
    check_stop();  // a stopped operation starts no further phase
    const auto start = std::chrono::steady_clock::now();
    struct Record {
      Phases& self;
      std::string name;
      std::chrono::steady_clock::time_point start;
      ~Record() {
        self.timings_.push_back({std::move(name), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      std::chrono::steady_clock::now() - start)});
      }
    } record{*this, std::move(name), start};
    return fn();
  }

  const std::vector<PhaseTiming>& timings() const { return timings_; }

 private:
  std::vector<PhaseTiming> timings_;
};

}  // namespace gsc::ops
