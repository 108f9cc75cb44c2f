#include "ops/pull.hpp"

#include <algorithm>
#include <cctype>

#include "gsc/error.hpp"
#include "ops/container.hpp"

namespace gsc::ops {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// What the registry's answer means for the user, as one sentence.
std::string pull_fix(const std::string& message, const std::string& registry, bool had_credentials) {
  const std::string m = lowercase(message);
  if (!had_credentials || m.find("unauthorized") != std::string::npos ||
      m.find("authentication required") != std::string::npos ||
      m.find("no basic auth credentials") != std::string::npos || m.find("denied") != std::string::npos)
    return "Log in with `docker login " + registry + "` (gsc uses the docker CLI's credentials, $DOCKER_CONFIG or "
           "~/.docker/config.json), or check the name.";
  if (m.find("certificate") != std::string::npos || m.find("x509") != std::string::npos)
    return "The daemon does not trust `" + registry + "`'s certificate: put its CA in /etc/docker/certs.d/" + registry +
           "/ca.crt on the daemon's host.";
  return "Check the name and that the daemon can reach `" + registry + "`, or build or load the image first.";
}

}  // namespace

bool is_image_id(const std::string& reference) {
  std::string hex = reference;
  if (hex.rfind("sha256:", 0) == 0) hex = hex.substr(7);
  else if (hex.size() < 12) return false;
  return !hex.empty() && hex.size() <= 64 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::optional<docker::ImageInspect> find_or_pull_image(docker::Client& client, const std::string& reference,
                                                       const ProgressFn& progress) {
  if (auto image = find_image(client, reference)) return image;
  if (is_image_id(reference)) return std::nullopt;
  const std::string registry = docker::registry_of(reference);
  const auto credentials = client.credentials(registry);
  const std::string as = credentials ? (credentials->username.empty() ? " with an identity token"
                                                                      : " as `" + credentials->username + "`")
                                     : " without credentials";
  report(progress, ProgressEvent::Kind::step, "Pulling " + reference + " (the daemon does not have it) from " + registry);
  try {
    client.pull_image({.reference = reference}, progress);
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::daemon_unavailable || e.category() == ErrorCategory::cancelled) throw;
    std::string message = e.what();
    const std::string prefix = "Error response from daemon while trying to pull `" + reference + "`: ";
    if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
    while (!message.empty() && message.back() == '.') message.pop_back();
    throw Error(ErrorCategory::not_found, "Cannot find image `" + reference + "`, and pulling it from `" + registry +
                                              "`" + as + " failed: " + message + ". " +
                                              pull_fix(message, registry, credentials.has_value()));
  }
  return find_image(client, reference);
}

}  // namespace gsc::ops
