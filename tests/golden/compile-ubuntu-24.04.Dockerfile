# gsc: Gramine compiled from source on ubuntu:24.04 (gsc build-gramine).
FROM ubuntu:24.04 AS build-deps
# Every step image of gsc's builds carries gsc.build (found by it should the build fail).
LABEL "gsc.build"="compile-9260c47827a9be3d"

# Gramine's build dependencies; meson and tomli are ubuntu:24.04's own packages.
RUN apt-get update \
 && env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      autoconf bison build-essential ca-certificates cmake gawk git libcurl4-openssl-dev \
      libprotobuf-c-dev nasm ninja-build pkg-config protobuf-c-compiler protobuf-compiler \
      python3 python3-click python3-cryptography python3-jinja2 python3-protobuf \
      python3-pyelftools python3-voluptuous wget \
      meson python3-tomli python3-tomli-w \
 && rm -rf /var/lib/apt/lists/*

# Intel's DCAP quote verification library, from Intel's package repository (-Ddcap=enabled).
RUN apt-get update \
 && env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl gnupg \
 && curl -fsSL https://download.01.org/intel-sgx/sgx_repo/ubuntu/intel-sgx-deb.key \
      | gpg --dearmor -o /usr/share/keyrings/intel-sgx.gpg \
 && . /etc/os-release \
 && echo "deb [arch=amd64 signed-by=/usr/share/keyrings/intel-sgx.gpg] https://download.01.org/intel-sgx/sgx_repo/ubuntu $VERSION_CODENAME main" \
      > /etc/apt/sources.list.d/intel-sgx.list \
 && apt-get update \
 && env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsgx-dcap-quote-verify-dev \
 && rm -rf /var/lib/apt/lists/*

# Gramine's source: https://github.com/gramineproject/gramine.git at v1.9
# (a branch or tag is fetched by name; an abbreviated commit is found in the clone)
RUN git clone --quiet 'https://github.com/gramineproject/gramine.git' /gramine \
 && cd /gramine \
 && { git fetch --quiet origin 'v1.9' 2>/dev/null && git checkout --quiet --detach FETCH_HEAD \
      || git checkout --quiet --detach "$(git rev-parse --verify --quiet 'v1.9'^{commit})" 2>/dev/null \
      || { echo 'gsc: Gramine.Branch is no branch, tag or commit of the repository:' 'v1.9' >&2; exit 1; }; } \
 && git log -1 --format='gsc: compiling Gramine at commit %H (%cd)'

# Both PALs, as the original GSC builds them: the direct one runs apps without SGX
# (`docker run -e GRAMINE_MODE=direct ...`).
RUN cd /gramine \
 && meson setup build/ --prefix=/gramine/meson_build_output --buildtype=release \
      -Ddirect=enabled -Dsgx=enabled -Ddcap=enabled \
 && ninja -C build \
 && ninja -C build install

# Gramine's Python modules (gramine-sgx-sign and friends) through a .pth file in a directory
# on Python's path, wherever meson put them (lib/ or lib64/).
RUN site="$(python3 -c 'import site; print(site.getsitepackages()[0])')" \
 && mkdir -p "$site" \
 && find $(ls -d /gramine/meson_build_output/lib /gramine/meson_build_output/lib64 2>/dev/null) \
      -maxdepth 3 -type d -name '*-packages' > "$site/gramine.pth"

# Gramine's programs by name.
ENV PATH=/gramine/meson_build_output/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL "gsc.buildtype"="release" "gsc.distro"="ubuntu:24.04" "gsc.gramine.branch"="v1.9" "gsc.gramine.repository"="https://github.com/gramineproject/gramine.git" "gsc.gramine.version"="v1.9" "gsc.linux_pal"="true" "gsc.tool"="gsc" "gsc.version"="0.1.0"

