# gsc: Gramine compiled from source on registry.suse.com/suse/sle15:15.6 (gsc build-gramine).
FROM registry.suse.com/suse/sle15:15.6 AS build-deps

# Gramine's build dependencies (SLES: the Development Tools module and PackageHub must be
# available to the build, e.g. through the host's registration); tomli-w from pip.
RUN zypper --non-interactive install -y \
      autoconf bison gawk gcc gcc-c++ git libcurl-devel libprotobuf-c-devel make meson nasm \
      ninja patch pkg-config protobuf-c protobuf-devel python3 python3-click python3-cryptography \
      python3-Jinja2 python3-pip python3-protobuf python3-pyelftools python3-tomli \
      python3-voluptuous wget which \
 && python3 -B -m pip install 'tomli-w>=0.4.0' \
 && zypper clean --all

# Gramine's source: https://github.com/gramineproject/gramine.git at v1.9
# (a branch or tag is fetched by name; an abbreviated commit is found in the clone)
RUN git clone --quiet 'https://github.com/gramineproject/gramine.git' /gramine \
 && cd /gramine \
 && { git fetch --quiet origin 'v1.9' 2>/dev/null && git checkout --quiet --detach FETCH_HEAD \
      || git checkout --quiet --detach "$(git rev-parse --verify --quiet 'v1.9'^{commit})" 2>/dev/null \
      || { echo 'gsc: Gramine.Branch is no branch, tag or commit of the repository:' 'v1.9' >&2; exit 1; }; } \
 && git log -1 --format='gsc: compiling Gramine at commit %H (%cd)'

RUN cd /gramine \
 && meson setup build/ --prefix=/gramine/meson_build_output --buildtype=release \
      -Ddirect=disabled -Dsgx=enabled \
 && ninja -C build \
 && ninja -C build install

# Gramine's Python modules (gramine-sgx-sign and friends) through a .pth file in a directory
# on Python's path, wherever meson put them (lib/ or lib64/); its programs on PATH.
RUN site="$(python3 -c 'import site; print(site.getsitepackages()[0])')" \
 && mkdir -p "$site" \
 && find $(ls -d /gramine/meson_build_output/lib /gramine/meson_build_output/lib64 2>/dev/null) \
      -maxdepth 3 -type d -name '*-packages' > "$site/gramine.pth"
ENV PATH=/gramine/meson_build_output/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL "gsc.buildtype"="release" "gsc.distro"="registry.suse.com/suse/sle15:15.6" "gsc.gramine.branch"="v1.9" "gsc.gramine.repository"="https://github.com/gramineproject/gramine.git" "gsc.gramine.version"="v1.9" "gsc.linux_pal"="false" "gsc.tool"="gsc" "gsc.version"="0.1.0"

