# Gramine's build dependencies on redhat/ubi9:9.4:
# the distro's packages, EPEL's, meson and tomli from pip.
set -eu
# This host's subscription (redhat.repo and the entitlement certificates, which gsc puts in
# tmpfs mounts) enables the CodeReady Builder repository besides UBI's.
rm -rf /etc/rhsm-host
dnf install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm
dnf install -y --enablerepo=codeready-builder-for-rhel-9-x86_64-rpms \
  autoconf bison cmake findutils gawk gcc gcc-c++ git kernel-headers libcurl-devel make nasm ninja-build patch \
  pkgconf-pkg-config protobuf-c-compiler protobuf-c-devel protobuf-compiler python3 \
  python3-click python3-cryptography python3-jinja2 python3-pip python3-protobuf \
  python3-pyelftools python3-voluptuous wget
python3 -B -m pip install 'meson>=0.56,!=1.2.*' 'tomli>=1.1.0' 'tomli-w>=0.4.0'
dnf clean all
rm -f /etc/yum.repos.d/redhat.repo
