#pragma once
// Client::Impl: the endpoint, the negotiated API version, and the helpers every endpoint
// file uses to make a versioned request.

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "docker/http.hpp"
#include "gsc/docker.hpp"

namespace gsc::docker {

struct Client::Impl {
  Endpoint endpoint;
  std::mutex version_mutex;            // the first requests of several threads negotiate once
  std::optional<std::string> version;  // negotiated on first use (under version_mutex)
  CredentialsFn credentials;           // registry credentials; unset: anonymous

  // The negotiated version; pings the daemon the first time (once, whatever the threads).
  std::string negotiated();
  // "/v1.41" + path; pings the daemon once to negotiate.
  std::string versioned(const std::string& path);
  // Sends a versioned request; returns the response (status checked, body unread).
  std::unique_ptr<http::Response> call(http::Method method, const std::string& path, const std::string& what,
                                       std::string body = {}, std::string content_type = {},
                                       std::vector<std::pair<std::string, std::string>> headers = {});
  // The credentials for the registry of an image reference, nullopt when there are none.
  std::optional<RegistryAuth> credentials_for(const std::string& reference) const;
  // Sends a versioned request and parses the JSON answer.
  nlohmann::json call_json(http::Method method, const std::string& path, const std::string& what,
                           const nlohmann::json& body = nullptr);
};

// {"label": ["a=b"], ...} as the daemon's `filters` query parameter.
std::string filters_json(const std::map<std::string, std::vector<std::string>>& filters);

}  // namespace gsc::docker
