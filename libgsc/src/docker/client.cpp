#include "docker/client_impl.hpp"
#include "docker/fields.hpp"

namespace gsc::docker {

Client Client::from_environment() {
  Client client(endpoint_from_environment());
  client.set_credentials(docker_config_credentials());
  return client;
}

Client::Client(Endpoint endpoint) : impl_(std::make_unique<Impl>()) { impl_->endpoint = std::move(endpoint); }
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const Endpoint& Client::endpoint() const { return impl_->endpoint; }

void Client::set_credentials(CredentialsFn credentials) { impl_->credentials = std::move(credentials); }

std::optional<RegistryAuth> Client::credentials(const std::string& registry) const {
  if (!impl_->credentials) return std::nullopt;
  return impl_->credentials(registry);
}

std::optional<RegistryAuth> Client::Impl::credentials_for(const std::string& reference) const {
  if (!credentials) return std::nullopt;
  return credentials(registry_of(reference));
}

std::string Client::api_version() { return impl_->negotiated(); }

std::string Client::Impl::negotiated() {
  std::lock_guard lock(version_mutex);
  if (!version) {
    auto response = http::send(endpoint, {http::Method::get, "/_ping", {}, {}, {}});
    http::check(*response, "ping");
    version = negotiate_api_version(response->header("Api-Version"));
  }
  return *version;
}

std::string Client::Impl::versioned(const std::string& path) { return "/v" + negotiated() + path; }

std::unique_ptr<http::Response> Client::Impl::call(http::Method method, const std::string& path,
                                                   const std::string& what, std::string body,
                                                   std::string content_type,
                                                   std::vector<std::pair<std::string, std::string>> headers) {
  auto response =
      http::send(endpoint, {method, versioned(path), std::move(body), std::move(content_type), std::move(headers)});
  http::check(*response, what);
  return response;
}

nlohmann::json Client::Impl::call_json(http::Method method, const std::string& path, const std::string& what,
                                       const nlohmann::json& body) {
  auto response = body.is_null() ? call(method, path, what) : call(method, path, what, body.dump(), "application/json");
  const std::string text = response->read_all();
  if (text.empty()) return nullptr;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded())
    throw Error(ErrorCategory::daemon_api, "The Docker daemon's answer to " + what + " is not JSON.");
  return json;
}

std::string filters_json(const std::map<std::string, std::vector<std::string>>& filters) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, values] : filters)
    if (!values.empty()) j[key] = values;
  return j.dump();
}

PingResult Client::ping() {
  auto response = http::send(impl_->endpoint, {http::Method::get, "/_ping", {}, {}, {}});
  http::check(*response, "ping");
  return PingResult{response->header("Api-Version"), response->header("Ostype")};
}

VersionResult Client::version() {
  const std::string what = "read the daemon's version";
  const auto j = impl_->call_json(http::Method::get, "/version", what);
  return VersionResult{fields::text(j, "Version", what), fields::text(j, "ApiVersion", what),
                       fields::text(j, "MinAPIVersion", what), fields::text(j, "Os", what),
                       fields::text(j, "Arch", what), fields::text(j, "KernelVersion", what)};
}

}  // namespace gsc::docker
