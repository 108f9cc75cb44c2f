#!/usr/bin/env bash
# Proves libgsc works as a library for other tools: installs gsc into a scratch prefix,
# builds examples/gsc-images against that installed tree with find_package(gsc), runs it.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check-install.sh BUILD_DIR}
scratch=$(mktemp -d /tmp/gsc-install.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
test -f "$scratch/prefix/lib/cmake/gsc/gscConfig.cmake"
# The public headers must not pull in third-party types.
if grep -rlE '#include <(boost|nlohmann|toml\+\+|yaml-cpp|openssl|archive)' "$scratch/prefix/include/gsc"; then
  echo "check-install: a public header includes a third-party header" >&2
  exit 1
fi
cmake -S "$src/examples/gsc-images" -B "$scratch/example" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/example" >/dev/null
"$scratch/example/gsc-images"
