// POST /build: the context goes up as a tar, the answer streams back as JSON objects.

#include <exception>
#include <set>

#include "docker/auth.hpp"
#include "docker/client_impl.hpp"
#include "docker/operation.hpp"
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
  // Within an operation: the images there before its first build are never its own.
  Operation* op = current_operation();
  if (op) {
    op->throw_if_stopped();
    op->before_build();
    op->build_tags(options.tags);
  }
  auto response = impl_->call(http::Method::post, "/build" + http::query(params), "build an image", options.context,
                              "application/x-tar", std::move(headers));
  // Stopping the operation shuts this connection down: the daemon cancels the build and removes
  // the running step's container itself (as it does a failed step's: forcerm). What the build
  // made is known from the daemon's facts (its result, the images since the baseline), never
  // from the text of its output, which the app's steps control.
  struct Cut {  // the connection ends early (a stop, a throwing callback): the daemon may still commit a step
    Operation* op;
    int exceptions = std::uncaught_exceptions();
    ~Cut() {
      if (op && std::uncaught_exceptions() > exceptions) op->build_cut();
    }
  } cut{op};
  BuildStreamDecoder decoder(progress);
  char chunk[16 * 1024];
  while (const std::size_t n = response->read(chunk, sizeof chunk)) decoder.feed({chunk, n});
  decoder.finish();
  if (op) op->after_build(decoder.image_id());
  return BuildResult{decoder.image_id()};
}

}  // namespace gsc::docker
