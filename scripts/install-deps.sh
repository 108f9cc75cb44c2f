#!/usr/bin/env bash
# Installs everything gsc needs to build, test and run, from Debian's packages only.
# Idempotent: asks apt only for what is missing.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config git ca-certificates
  # libraries (the fixed list in the developers' brief)
  libboost1.81-dev libboost-program-options1.81-dev libyaml-cpp-dev libtomlplusplus-dev
  nlohmann-json3-dev libssl-dev catch2 libarchive-dev libkainjow-mustache-dev
  # the daemon and the test images
  docker.io debootstrap busybox-static
  # tests: openssl CLI (keys, two-step signing, test CAs), curl (daemon ping); a private
  # registry with basic auth (docker-registry, htpasswd of apache2-utils); a TLS proxy in front
  # of the daemon as a remote daemon (socat)
  openssl curl docker-registry apache2-utils socat
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Where systemd runs, docker-registry's package starts a registry on port 5000: the tests
# start registries of their own, so the one just installed is stopped and disabled.
if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null &&
   systemctl is-enabled docker-registry >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
echo "install-deps: done"
