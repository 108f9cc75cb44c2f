# gsc: Gramine compiled from source on redhat/ubi9-minimal:9.4 (gsc build-gramine).

# Gramine's build dependencies need this host's subscription. gsc installs them first: it runs
# install-deps.sh in a container of redhat/ubi9-minimal:9.4 that receives the subscription on its
# stdin into tmpfs mounts (never into a layer or the image's config), and commits it as:
FROM gsc-gramine-deps-redhat-ubi9-minimal-9-4:3972edca022a819b AS build-deps
LABEL "gsc.build"="compile-ed6b9abaeea2bb23"

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
LABEL "gsc.buildtype"="release" "gsc.distro"="redhat/ubi9-minimal:9.4" "gsc.gramine.branch"="v1.9" "gsc.gramine.repository"="https://github.com/gramineproject/gramine.git" "gsc.gramine.version"="v1.9" "gsc.linux_pal"="true" "gsc.tool"="gsc" "gsc.version"="0.1.0"

