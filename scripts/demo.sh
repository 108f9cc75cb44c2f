#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install the dependencies, build gsc, start
# dockerd if none answers, make the demo images, graminize them, sign them, show their
# measurements and run them (with gramine-direct: this machine has no SGX).
# Uses real Gramine when $GSC_GRAMINE_DIR (default ../shared/gramine/) holds its tarball, else
# the stand-in Gramine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
scripts/start-dockerd.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
# The test suite's workload images are not needed here.
GSC_SKIP_APP_IMAGES=1 GSC_BINARY_DIR=$root/build GSC_SOURCE_DIR=$root scripts/make-test-images.sh

gsc=$root/build/bin/gsc
work=$(mktemp -d /tmp/gsc-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

if docker image inspect gsc-test/gramine:1.9 >/dev/null 2>&1; then
  gramine=gsc-test/gramine:1.9
  echo "demo: using real Gramine v1.9 ($gramine)"
else
  gramine=gsc-test/gramine-standin:1.9
  echo "demo: real Gramine tarball not found: using the stand-in Gramine ($gramine)"
fi
cat >"$work/config.yaml" <<CFG
Distro: "debian:12"
Gramine:
  Image: "$gramine"
CFG

# A signing key, made here for the demo (RSA-3072 with exponent 3, as SGX requires).
openssl genrsa -3 -out "$work/enclave-key.pem" 3072 2>/dev/null

docker build -q -t gsc-demo/hello-world examples/hello-world >/dev/null
docker build -q -t gsc-demo/python-app examples/python-app >/dev/null

for app in hello-world python-app; do
  echo "== $app"
  "$gsc" build -c "$work/config.yaml" --rm --rebuild "gsc-demo/$app" "examples/$app/$app.manifest"
  "$gsc" sign-image -c "$work/config.yaml" "gsc-demo/$app" "$work/enclave-key.pem"
  "$gsc" info-image "gsc-gsc-demo/$app"
  # Recomputes MRENCLAVE from the image's contents (gsc measures Gramine v1.9 itself).
  [ "$gramine" = gsc-test/gramine:1.9 ] && "$gsc" verify-image "gsc-gsc-demo/$app"
  echo "-- docker run gsc-gsc-demo/$app (GRAMINE_MODE=direct)"
  docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct "gsc-gsc-demo/$app"
done
echo "demo: done. Images: gsc-gsc-demo/hello-world, gsc-gsc-demo/python-app"
