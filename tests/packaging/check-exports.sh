#!/usr/bin/env bash
# Fails if the shared libgsc exports a symbol outside its public API (namespace gsc and
# gsc::docker, declared GSC_API in include/gsc/): no Boost, toml++, nlohmann-json,
# yaml-cpp, mustache, OpenSSL or std instantiation, no internal gsc namespace. Prints the count.
#   check-exports.sh path/to/libgsc.so
set -euo pipefail
lib=${1:?usage: check-exports.sh LIBGSC_SO}

# Demangled names of the dynamic symbols libgsc defines (nm: "ADDRESS TYPE NAME").
symbols=$(nm -D --defined-only "$lib" | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' | c++filt)
count=$(printf '%s\n' "$symbols" | grep -c . || true)

# What a C++ library exports for its API: functions and data of the namespace, and the
# typeinfo and vtables of its exported classes (gsc::Error must be catchable by callers).
public='^((typeinfo|typeinfo name|vtable|VTT) for |(non-)?virtual thunk to )?gsc::'
# The modules' namespaces are internal: hidden even though they are in gsc::.
internal='^((typeinfo|typeinfo name|vtable|VTT) for |(non-)?virtual thunk to )?gsc::(ops|manifest|tar|image|templates|sgx|gramine|embedded|detail|auth|http|cli)::'
# Symbols the toolchain itself must export: none with the current one (GCC 12, binutils
# 2.40). List any here with the reason it cannot be hidden.
toolchain='^$'

bad=$(printf '%s\n' "$symbols" | grep -Ev "$public" | grep -Ev "$toolchain" || true)
bad_internal=$(printf '%s\n' "$symbols" | grep -E "$internal|::Impl::" || true)
echo "libgsc exports $count symbols ($lib)"
if [ -n "$bad" ] || [ -n "$bad_internal" ]; then
  echo "check-exports: symbols outside the public gsc API are exported:" >&2
  printf '%s\n' "$bad" "$bad_internal" | grep . | sort | head -50 >&2
  echo "(declare public API GSC_API in include/gsc/; everything else stays hidden)" >&2
  exit 1
fi
