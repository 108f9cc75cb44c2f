#pragma once
// Installing packages with this host's subscription (RHEL UBI, SLES) without leaving it in any
// layer. The original GSC copies the subscription's certificates or credentials into the build
// context and a layer. gsc runs the install script in a container of the base image instead:
// the container reads the subscription's files from its stdin into tmpfs mounts (neither its
// filesystem changes nor its config hold them), and is committed as an image.

#include <string>
#include <vector>

#include "gsc/docker.hpp"
#include "gsc/progress.hpp"
#include "manifest/distro.hpp"

namespace gsc::ops {

struct SecretFile {
  std::string path;      // in the container (under one of the tmpfs mounts, or removed by the script)
  std::string content;
};

struct Subscription {
  std::vector<SecretFile> files;
  std::vector<std::string> tmpfs;  // mount points in the container
};

// This host's subscription for `distro`, its files read under `host_root` ("/" but in tests):
// RHEL: /etc/yum.repos.d/redhat.repo (which must list the rhel-N baseos repository), the
// entitlement certificates its `sslclientkey` names, and its `sslcacert`; SLES:
// /etc/zypp/credentials.d/SCCcredentials. Missing files: an input error saying to register.
Subscription host_subscription(const manifest::Distro& distro, const std::string& host_root);

// The container's stdin: a shell script that writes the files (quoted here-documents) and
// then runs `install_script`.
std::string subscribed_stdin(const Subscription& subscription, const std::string& install_script);

// Runs `install_script` with the subscription in a container of `base_image` (pulled when
// missing) and commits it, tagged `tag`, with the base image's config. Its output goes to
// progress; a failure is a BuildError with that output. Returns the image id.
std::string install_with_subscription(docker::Client& client, const std::string& base_image,
                                      const Subscription& subscription, const std::string& install_script,
                                      const std::string& tag, const ProgressFn& progress);

}  // namespace gsc::ops
