#include <cstdlib>
#include <sstream>
#include <vector>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"

namespace gsc::docker {

std::string Endpoint::to_string() const {
  if (kind == Kind::unix_socket) return "unix://" + socket_path;
  return "tcp://" + host + ":" + std::to_string(port);
}

Endpoint parse_endpoint(const std::string& docker_host, const std::string& tls_verify, const std::string& cert_path,
                        const std::string& tls) {
  Endpoint e;
  if (docker_host.empty()) return e;
  auto bad = [&](const std::string& why) {
    return Error(ErrorCategory::input, "DOCKER_HOST `" + docker_host + "` " + why +
                                           ". Use `unix:///var/run/docker.sock` or `tcp://HOST:PORT`.");
  };
  if (docker_host.rfind("unix://", 0) == 0) {
    e.socket_path = docker_host.substr(7);
    if (e.socket_path.empty() || e.socket_path.front() != '/') throw bad("has no absolute socket path");
    return e;
  }
  if (docker_host.rfind("tcp://", 0) != 0) throw bad("has an unsupported scheme");
  std::string rest = docker_host.substr(6);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  e.kind = Endpoint::Kind::tcp;
  // As the docker CLI: DOCKER_TLS_VERIFY set to anything (even "0" or "false") checks the
  // daemon's certificate; DOCKER_TLS alone encrypts without checking.
  e.tls_verify = !tls_verify.empty();
  e.tls = e.tls_verify || !tls.empty();
  e.cert_path = cert_path;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:2375
    const auto close = rest.find(']');
    if (close == std::string::npos) throw bad("has an unclosed IPv6 address");
    e.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    e.host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    e.host = rest;
  }
  if (e.host.empty()) throw bad("has no host");
  if (port_text.empty()) {
    e.port = e.tls ? 2376 : 2375;
  } else {
    char* end = nullptr;
    const long port = std::strtol(port_text.c_str(), &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535) throw bad("has an invalid port");
    e.port = static_cast<std::uint16_t>(port);
  }
  return e;
}

Endpoint endpoint_from_environment() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  return parse_endpoint(env("DOCKER_HOST"), env("DOCKER_TLS_VERIFY"), env("DOCKER_CERT_PATH"), env("DOCKER_TLS"));
}

namespace {

std::vector<int> version_parts(const std::string& v) {
  std::vector<int> parts;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, '.')) parts.push_back(std::atoi(item.c_str()));
  return parts;
}

}  // namespace

std::string negotiate_api_version(const std::string& daemon_version, const std::string& client_max) {
  if (daemon_version.empty()) return client_max;
  return version_parts(daemon_version) < version_parts(client_max) ? daemon_version : client_max;
}

}  // namespace gsc::docker
