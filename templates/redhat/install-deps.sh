# Gramine's build dependencies on {{distro}}:
# the distro's packages, EPEL's, meson and tomli from pip{{#debug_tools}}; gdb and strace for
# the debug build{{/debug_tools}}.
set -eu
{{#subscription}}
# This host's subscription (redhat.repo and the entitlement certificates, which gsc puts in
# tmpfs mounts) enables the CodeReady Builder repository besides UBI's.
rm -rf /etc/rhsm-host
{{/subscription}}
{{#microdnf}}
rpm -i https://dl.fedoraproject.org/pub/epel/epel-release-latest-{{major_version}}.noarch.rpm
{{/microdnf}}
{{^microdnf}}
dnf install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-{{major_version}}.noarch.rpm
{{/microdnf}}
{{package_manager}} install -y{{#extra_repo}} --enablerepo={{extra_repo}}{{/extra_repo}} \
  autoconf bison cmake findutils gawk gcc gcc-c++ git kernel-headers libcurl-devel make nasm ninja-build patch \
  pkgconf-pkg-config protobuf-c-compiler protobuf-c-devel protobuf-compiler python3 \
  python3-click python3-cryptography python3-jinja2 python3-pip python3-protobuf \
  python3-pyelftools python3-voluptuous wget{{#debug_tools}} gdb strace{{/debug_tools}}
python3 -B -m pip install 'meson>=0.56,!=1.2.*' 'tomli>=1.1.0' 'tomli-w>=0.4.0'
{{package_manager}} clean all
{{#subscription}}
rm -f /etc/yum.repos.d/redhat.repo
{{/subscription}}
