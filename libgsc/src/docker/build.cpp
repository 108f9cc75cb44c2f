// POST /build: the context goes up as a tar, the answer streams back as JSON objects.

#include <set>

#include "docker/auth.hpp"
#include "docker/client_impl.hpp"
#include "docker/stream.hpp"

namespace gsc::docker {

BuildResult Client::build(const BuildOptions& options, const ProgressFn& progress) {
  std::multimap<std::string, std::string> params{
      {"dockerfile", options.dockerfile},
      {"nocache", options.no_cache ? "1" : "0"},
      {"rm", options.remove_intermediate ? "1" : "0"},
      {"forcerm", options.force_remove_intermediate ? "1" : "0"},
      {"pull", options.pull ? "1" : "0"},
      {"buildargs", nlohmann::json(options.build_args).dump()},
      {"labels", nlohmann::json(options.labels).dump()},
  };
  for (const auto& tag : options.tags) params.emplace("t", tag);
  // The credentials of the registries the build may pull from, as the docker CLI sends them
  // (and as it, without those it cannot get: the build may need no pull).
  std::vector<RegistryAuth> auths;
  std::set<std::string> registries;
  for (const auto& reference : options.pulls) {
    if (!registries.insert(registry_of(reference)).second) continue;
    try {
      if (auto found = impl_->credentials_for(reference)) auths.push_back(std::move(*found));
    } catch (const Error&) {
    }
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!auths.empty()) headers.emplace_back("X-Registry-Config", auth::registry_config_header(auths));
  auto response = impl_->call(http::Method::post, "/build" + http::query(params), "build an image", options.context,
                              "application/x-tar", std::move(headers));
  // An interrupt cancels the build in the daemon (by closing this connection) and removes the
  // step's container, which holds the step's image.
  const AbortRegistration abort([&response] { response->abort(); });
  struct StepContainers {  // registered while the build runs; the daemon removes them (forcerm)
    std::set<std::string> ids;
    ~StepContainers() {
      for (const auto& id : ids) unregister_container(id);
    }
  } steps;
  BuildStreamDecoder decoder(progress, [&steps](const std::string& id, bool running) {
    if (running) {
      register_container(id);
      steps.ids.insert(id);
    } else {
      unregister_container(id);
      steps.ids.erase(id);
    }
  });
  char chunk[16 * 1024];
  while (const std::size_t n = response->read(chunk, sizeof chunk)) decoder.feed({chunk, n});
  decoder.finish();
  return BuildResult{decoder.image_id()};
}

}  // namespace gsc::docker
