#!/usr/bin/env bash
# Proves libgsc works as a library for other tools: installs gsc into a scratch prefix,
# MOVES that prefix elsewhere (a relocated package must still work), removes the installed
# copy of the templates (the library carries its own), then builds and runs
#   - examples/libgsc-consumer with CMake's find_package(gsc),
#   - the same program with pkg-config (gsc.pc) and the compiler alone,
#   - examples/gsc-images with find_package(gsc).
# The consumer's daemon checks are skipped when no daemon answers; gsc-images needs one.
#   check-install.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check-install.sh BUILD_DIR}
scratch=$(mktemp -d /tmp/gsc-install.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$scratch/installed" >/dev/null
mkdir -p "$scratch/elsewhere"
mv "$scratch/installed" "$scratch/elsewhere/prefix"
prefix="$scratch/elsewhere/prefix"
libdir=$(cd "$prefix" && find . -name 'gscConfig.cmake' -path '*/cmake/gsc/*' | sed 's|^\./||; s|/cmake/gsc/gscConfig.cmake$||')
[ -n "$libdir" ] || fail "no gscConfig.cmake under the prefix"
test -f "$prefix/$libdir/pkgconfig/gsc.pc" || fail "no gsc.pc"
test -f "$prefix/include/gsc/version.hpp" || fail "no gsc/version.hpp"
test -f "$prefix/include/gsc/export.hpp" || fail "no gsc/export.hpp"
# The public headers must not pull in third-party types.
if grep -rlE '#include <(boost|nlohmann|toml\+\+|yaml-cpp|openssl|archive)' "$prefix/include/gsc"; then
  fail "a public header includes a third-party header"
fi
# A shared libgsc: soname libgsc.so.MAJOR.MINOR while 0.x (README "Versions").
if lib=$(ls "$prefix/$libdir"/libgsc.so.*.*.* 2>/dev/null | head -1) && [ -n "$lib" ]; then
  version=$(sed -n 's/^#define GSC_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/gsc/version.hpp")
  soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  expected="libgsc.so.$(echo "$version" | cut -d. -f1-2)"
  [ "$soname" = "$expected" ] || fail "soname $soname, expected $expected"
  echo "check-install: $(basename "$lib"), soname $soname"
fi
rm -rf "$prefix/share/gsc/templates"

# CMake package, from the moved prefix.
cmake -S "$src/examples/libgsc-consumer" -B "$scratch/consumer-cmake" -G Ninja \
      -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/consumer-cmake" >/dev/null
echo "check-install: consumer built with find_package(gsc)"
# With the test images: two builds on two threads of one Client (one stopped mid-hash), inputs
# from memory, a Signer of the consumer's own, read back with info_image.
consumer_env=()
if docker image inspect gsc-test/gramine-standin:1.9 gsc-test/python3:12 >/dev/null 2>&1; then
  openssl genrsa -3 -out "$scratch/key.pem" 3072 2>/dev/null
  consumer_env=(GSC_CONSUMER_GRAMINE=gsc-test/gramine-standin:1.9 GSC_CONSUMER_APP=gsc-test/python3:12
                GSC_CONSUMER_KEY="$scratch/key.pem")
fi
env "${consumer_env[@]}" "$scratch/consumer-cmake/libgsc-consumer"

# pkg-config, from the moved prefix (a static libgsc: --static adds its dependencies).
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
static=()
[ -f "$prefix/$libdir/libgsc.a" ] && static=(--static)
pcdir=$(pkg-config --variable=libdir gsc)
[ "$(cd "$pcdir" && pwd -P)" = "$(cd "$prefix/$libdir" && pwd -P)" ] || fail "gsc.pc's libdir $pcdir is not the moved prefix's"
# shellcheck disable=SC2046
c++ -std=c++20 -o "$scratch/consumer-pc" "$src/examples/libgsc-consumer/main.cpp" \
    $(pkg-config "${static[@]}" --cflags --libs gsc) -Wl,-rpath,"$pcdir"
echo "check-install: consumer built with pkg-config gsc ($(pkg-config --modversion gsc))"
"$scratch/consumer-pc"

cmake -S "$src/examples/gsc-images" -B "$scratch/example" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/example" >/dev/null
"$scratch/example/gsc-images"
