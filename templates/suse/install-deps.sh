# Gramine's build dependencies on {{distro}}:
# SUSE's Development Tools module and PackageHub, GCC 11 (as the original GSC), tomli-w from
# pip{{#debug_tools}}; gdb and strace for the debug build{{/debug_tools}}.
set -eu
{{#subscription}}
# This host's SUSE Customer Center registration (SCCcredentials, which gsc puts in a tmpfs
# mount, where SUSEConnect also writes the credentials of what it activates) activates the
# modules; `SUSEConnect --cleanup` removes their services from this container afterwards, and
# leaves the host's registration alone.
zypper --non-interactive install -y suseconnect-ng
SUSEConnect -p PackageHub/{{version}}/x86_64
SUSEConnect -p sle-module-basesystem/{{version}}/x86_64
SUSEConnect -p sle-module-desktop-applications/{{version}}/x86_64
SUSEConnect -p sle-module-development-tools/{{version}}/x86_64
{{/subscription}}
zypper --non-interactive install -y \
  autoconf bison cmake gawk gcc11 gcc11-c++ git libcurl-devel libprotobuf-c-devel linux-glibc-devel make meson nasm \
  ninja patch pkg-config protobuf-c protobuf-devel python3 python3-click python3-cryptography \
  python3-Jinja2 python3-pip python3-protobuf python3-pyelftools python3-tomli \
  python3-voluptuous wget which{{#debug_tools}} gdb strace{{/debug_tools}}
update-alternatives --install /usr/bin/gcc gcc /usr/bin/gcc-11 10
update-alternatives --install /usr/bin/g++ g++ /usr/bin/g++-11 10
python3 -B -m pip install 'tomli-w>=0.4.0'
{{#subscription}}
SUSEConnect --cleanup
{{/subscription}}
zypper clean --all
