#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the dependencies, starts dockerd if
# none answers, builds gsc, makes the test images (cached), runs every unit and integration
# test through ctest. `--sanitize` does the same in an ASan+UBSan build (build-asan/), `--tsan`
# in a ThreadSanitizer build (build-tsan/): there, run at least the library suite, whose
# operations share one Client across threads (`ctest --test-dir build-tsan -R integration.library`).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
# Sanitizer builds at -O1 -g1: symbolized reports at half the compile time of -O2 -g.
sanitizer_build=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                 -DGSC_BUILD_BENCH=OFF)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  cmake_args=("${sanitizer_build[@]}" -DGSC_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
elif [ "${1:-}" = "--tsan" ]; then
  build_dir=build-tsan
  cmake_args=("${sanitizer_build[@]}" -DGSC_TSAN=ON)
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
fi

scripts/install-deps.sh
scripts/start-dockerd.sh

# Configure quietly, but show which Gramine legs the integration tests will run.
mkdir -p "$build_dir"
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >"$build_dir/configure.log" 2>&1 ||
  { cat "$build_dir/configure.log" >&2; exit 1; }
grep -E "Integration tests" "$build_dir/configure.log" || true
cmake --build "$build_dir" -j"$(nproc)"

log="$build_dir/ctest.log"
set +e
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if ! grep -Eq 'tests passed, [0-9]+ tests failed out of [1-9]' "$log"; then
  echo "test.sh: ctest ran no test: that is a failure" >&2
  exit 1
fi
exit "$status"
