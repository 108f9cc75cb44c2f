# gsc: Gramine compiled from source on debian:12 (gsc build-gramine).
FROM debian:12 AS build-deps
# Every step image of gsc's builds carries gsc.build (found by it should the build fail).
LABEL "gsc.build"="compile-328316fd1c99670d"

# Gramine's build dependencies; meson and tomli are debian:12's own packages.
RUN apt-get update \
 && env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      autoconf bison build-essential ca-certificates cmake gawk git libcurl4-openssl-dev \
      libprotobuf-c-dev nasm ninja-build pkg-config protobuf-c-compiler protobuf-compiler \
      python3 python3-click python3-cryptography python3-jinja2 python3-protobuf \
      python3-pyelftools python3-voluptuous wget \
      meson python3-tomli python3-tomli-w \
 && rm -rf /var/lib/apt/lists/*

# Gramine's source: /home/dev/src at main (a local repository, sent in the build context)
# Only the commit to build reaches the image (a shallow fetch in a stage of its own): the
# repository's other branches and history stay out of every layer. The stage is removed after
# the build, so its result must be the same bytes each time for the compile to come from the
# build cache: one-threaded packing (the sent config), and no index or reflog (file times).
FROM build-deps AS source
COPY gramine-source/ /tmp/gramine-source/
RUN commit="$(git -C /tmp/gramine-source rev-parse --verify --quiet 'main'^{commit})" \
 || { echo 'gsc: Gramine.Branch is no branch, tag or commit of the repository:' 'main' >&2; exit 1; }; \
    git init --quiet /gramine \
 && git -C /gramine fetch --quiet --depth 1 file:///tmp/gramine-source "$commit" \
 && git -C /gramine checkout --quiet --detach FETCH_HEAD \
 && git -C /gramine log -1 --format='gsc: compiling Gramine at commit %H (%cd)' \
 && rm -rf /gramine/.git/index /gramine/.git/FETCH_HEAD /gramine/.git/logs

FROM build-deps
COPY --from=source /gramine /gramine
RUN git -C /gramine reset --quiet

# Both PALs, as the original GSC builds them: the direct one runs apps without SGX
# (`docker run -e GRAMINE_MODE=direct ...`).
RUN cd /gramine \
 && meson setup build/ --prefix=/gramine/meson_build_output --buildtype=release \
      -Ddirect=enabled -Dsgx=enabled \
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
LABEL "gsc.buildtype"="release" "gsc.distro"="debian:12" "gsc.gramine.branch"="main" "gsc.gramine.commit"="1111111111111111111111111111111111111111" "gsc.gramine.repository"="/home/dev/src" "gsc.gramine.version"="main" "gsc.linux_pal"="true" "gsc.tool"="gsc" "gsc.version"="0.1.0"

