#!/usr/bin/env bash
# Makes the images the tests and the demo use, each only when missing (or outdated):
#   gsc-test/debian:12              Debian 12 minbase by debootstrap + docker import (tar cached on disk)
#   gsc-test/busybox:1              a tiny image: Debian's static busybox and its applet links
#   gsc-test/python3:12             Debian 12 + python3
#   gsc-test/gramine-standin:1.9    the stand-in Gramine (tests/fixtures): strict launcher, real-format signer
#   gsc-test/gramine:1.9            real Gramine v1.9, when $GSC_GRAMINE_DIR (default ../shared/gramine/) holds its tarball
#   gsc-test/gramine-build-deps:debian-12-<hash>
#                                   the first steps of gsc's Debian 12 compile Dockerfile (Gramine's
#                                   build dependencies), kept so that the tests' compiles find them
#                                   in the build cache instead of running apt-get each time; tagged
#                                   by a hash of those steps, so that worktrees with other steps
#                                   sharing a daemon keep theirs
#   gsc-test/app-<name>:1           the workload apps of tests/fixtures/apps/<name> (Debian packages)
# With --record DIR, afterwards writes the ids of all containers and images into DIR, for
# scripts/check-leftovers.sh.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${GSC_BINARY_DIR:-$src/build}
cache=${GSC_CACHE_DIR:-/var/cache/gsc}
record=
[ "${1:-}" = "--record" ] && record=${2:?--record needs a directory}

"$src/scripts/start-dockerd.sh" >/dev/null
have() { docker image inspect "$1" >/dev/null 2>&1; }
label_of() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
work=$(mktemp -d /tmp/gsc-images.XXXXXX)

# The machine's own Debian mirror, as apt knows it (deb822 `URIs:` or one-line `deb` sources):
# the first source of the main archive (a path ending in /debian).
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }')
  [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\// && $i ~ /\/debian\/?$/) { print $i; exit } }')
  [ -n "$uri" ] || { echo "make-test-images: no Debian mirror in /etc/apt/sources.list{,.d/}: add the main archive there" >&2; return 1; }
  echo "$uri"
}
trap 'rm -rf "$work"' EXIT

# Debian 12 minbase: debootstrap once, cache the tar (written atomically), import when missing.
if ! have gsc-test/debian:12; then
  tarball=$cache/debian-12-minbase.tar
  if [ ! -s "$tarball" ]; then
    echo "make-test-images: debootstrap Debian 12 (minbase) into the cache $tarball"
    mkdir -p "$cache"
    mirror=$(debian_mirror)
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar --numeric-owner --sort=name -C "$work/rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$work/rootfs"
  fi
  docker import --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" gsc-test/debian:12 >/dev/null
  echo "make-test-images: made gsc-test/debian:12"
else
  echo "make-test-images: present gsc-test/debian:12"
fi

if ! have gsc-test/busybox:1; then
  mkdir -p "$work/busybox/bin"
  cp /bin/busybox "$work/busybox/bin/busybox"
  for applet in sh ls cat echo true false env sha256sum; do ln -s busybox "$work/busybox/bin/$applet"; done
  tar --numeric-owner -C "$work/busybox" -cf - . | docker import --change 'CMD ["/bin/sh"]' - gsc-test/busybox:1 >/dev/null
  echo "make-test-images: made gsc-test/busybox:1"
else
  echo "make-test-images: present gsc-test/busybox:1"
fi

if ! have gsc-test/python3:12; then
  mkdir -p "$work/python3"
  cat >"$work/python3/Dockerfile" <<'DOCKERFILE'
FROM gsc-test/debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
CMD ["/usr/bin/python3"]
DOCKERFILE
  docker build -q -t gsc-test/python3:12 "$work/python3" >/dev/null
  echo "make-test-images: made gsc-test/python3:12"
else
  echo "make-test-images: present gsc-test/python3:12"
fi

# The stand-in Gramine: rebuilt when its programs changed.
launcher=$bin/fixtures/bin/gramine-launcher
sgx_loader=$bin/fixtures/bin/gramine-sgx-loader
signer=$bin/fixtures/bin/gramine-sgx-sign
if [ ! -x "$launcher" ] || [ ! -x "$sgx_loader" ] || [ ! -x "$signer" ]; then
  echo "make-test-images: the stand-in Gramine's programs are not built ($launcher). Build target gsc_fixture_tools first." >&2
  exit 1
fi
tools_sum=$(cat "$launcher" "$sgx_loader" "$signer" | sha256sum | cut -c1-64)
if [ "$(label_of gsc-test/gramine-standin:1.9 gsc.test.tools)" != "$tools_sum" ]; then
  ctx=$work/standin
  prefix=$ctx/gramine/meson_build_output
  lib=$prefix/lib/x86_64-linux-gnu/gramine
  mkdir -p "$prefix/bin" "$lib/direct" "$lib/sgx" "$lib/runtime/glibc" "$ctx/protobuf"
  cp "$launcher" "$prefix/bin/gramine-direct"
  cp "$launcher" "$prefix/bin/gramine-sgx"
  cp "$signer" "$prefix/bin/gramine-sgx-sign"
  # As in Gramine's install: the loaders beside the PALs (the direct one static, the SGX one not).
  cp "$launcher" "$lib/direct/loader"
  cp "$sgx_loader" "$lib/sgx/loader"
  echo "stand-in direct PAL" >"$lib/direct/libpal.so"
  echo "stand-in SGX PAL" >"$lib/sgx/libpal.so"
  echo "stand-in libsysdb" >"$lib/libsysdb.so"
  echo "The stand-in Gramine has no runtime glibc: apps use the image's own." >"$lib/runtime/glibc/README"
  echo "stand-in libprotobuf-c (the stand-in SGX loader needs none)" >"$ctx/protobuf/libprotobuf-c.so.1"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM gsc-test/debian:12
COPY gramine /gramine
COPY protobuf/libprotobuf-c.so.1 /usr/lib/x86_64-linux-gnu/libprotobuf-c.so.1
ENV PATH=/gramine/meson_build_output/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL gsc.gramine.version=1.9-standin gsc.test.tools=$tools_sum
DOCKERFILE
  old=$(docker image inspect -f '{{.Id}}' gsc-test/gramine-standin:1.9 2>/dev/null || true)
  docker build -q -t gsc-test/gramine-standin:1.9 "$ctx" >/dev/null
  [ -n "$old" ] && docker rmi "$old" >/dev/null 2>&1 || true
  echo "make-test-images: made gsc-test/gramine-standin:1.9"
else
  echo "make-test-images: present gsc-test/gramine-standin:1.9"
fi

# Real Gramine, from the tarball beside the repository (never copied into it).
real=${GSC_GRAMINE_DIR:-$src/../shared/gramine}/gramine-v1.9-debian12.tar.gz
if [ ! -f "$real" ]; then
  echo "make-test-images: real Gramine tarball not found at $real: skipping gsc-test/gramine:1.9"
elif ! have gsc-test/gramine:1.9; then
  mkdir -p "$work/real"
  cp "$real" "$work/real/gramine.tar.gz"
  cat >"$work/real/Dockerfile" <<'DOCKERFILE'
FROM gsc-test/debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-click python3-jinja2 python3-pyelftools python3-tomli python3-tomli-w \
      python3-voluptuous python3-cryptography python3-protobuf libprotobuf-c1 binutils openssl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
ADD gramine.tar.gz /
ENV PATH=/gramine/meson_build_output/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/gramine/meson_build_output/lib/python3.11/site-packages
LABEL gsc.gramine.version=1.9
DOCKERFILE
  docker build -q -t gsc-test/gramine:1.9 "$work/real" >/dev/null
  echo "make-test-images: made gsc-test/gramine:1.9 (real Gramine v1.9)"
else
  echo "make-test-images: present gsc-test/gramine:1.9 (real Gramine v1.9)"
fi

# Gramine's build dependencies, exactly as gsc's compile Dockerfile installs them (its lines
# up to the source step), rebuilt when those lines change.
gsc=$bin/bin/gsc
if [ ! -x "$gsc" ]; then
  echo "make-test-images: gsc is not built ($gsc). Build it first." >&2
  exit 1
fi
mkdir -p "$work/deps"
printf 'Distro: "debian:12"\nRegistry: "gsc-test"\nGramine:\n  Repository: "https://example.invalid/gramine.git"\n  Branch: "main"\n' \
  >"$work/deps/config.yaml"
"$gsc" build-gramine -c "$work/deps/config.yaml" -f --output-dir "$work/deps/full" gsc-test/unused >/dev/null
sed "/^# Gramine's source:/,\$d" "$work/deps/full/Dockerfile" >"$work/deps/Dockerfile"
deps_sum=$(sha256sum <"$work/deps/Dockerfile" | cut -c1-64)
deps=gsc-test/gramine-build-deps:debian-12-${deps_sum:0:12}
if ! have "$deps"; then
  echo "LABEL gsc.test.deps=$deps_sum" >>"$work/deps/Dockerfile"
  docker build -q -t "$deps" -f "$work/deps/Dockerfile" "$work/deps" >/dev/null
  echo "make-test-images: made $deps"
else
  echo "make-test-images: present $deps"
fi

# Workload images (tests/integration/apps): each folder of tests/fixtures/apps becomes
# gsc-test/app-<folder>:1, FROM gsc-test/debian:12 with Debian's packages, rebuilt when the
# folder changed. GSC_SKIP_APP_IMAGES=1 skips them (the suite then skips its cases).
if [ "${GSC_SKIP_APP_IMAGES:-0}" = "1" ]; then
  echo "make-test-images: GSC_SKIP_APP_IMAGES=1: skipping the workload images"
else
  for dir in "$src"/tests/fixtures/apps/*/; do
    app=$(basename "$dir")
    image=gsc-test/app-$app:1
    app_sum=$(cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64)
    if [ "$(label_of "$image" gsc.test.app)" = "$app_sum" ]; then
      echo "make-test-images: present $image"
      continue
    fi
    echo "make-test-images: building $image (Debian packages: may take minutes)"
    old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    docker build -q --label gsc.test.app="$app_sum" -t "$image" "$dir" >"$work/app-$app.log" 2>&1 ||
      { tail -n 20 "$work/app-$app.log" >&2; exit 1; }
    [ -n "$old" ] && docker rmi "$old" >/dev/null 2>&1 || true
    echo "make-test-images: made $image"
  done
fi

if [ -n "$record" ]; then
  mkdir -p "$record"
  docker ps -aq --no-trunc | sort >"$record/containers.before"
  docker images -aq --no-trunc | sort -u >"$record/images.before"
fi
