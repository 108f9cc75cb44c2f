// POST /images/create: pulls an image, with the registry's credentials (X-Registry-Auth).

#include "docker/auth.hpp"
#include "docker/client_impl.hpp"
#include "docker/stream.hpp"

namespace gsc::docker {

ImagePullResult Client::pull_image(const ImagePullOptions& options, const ProgressFn& progress) {
  // name[:tag] or name@digest; the daemon wants the name and the tag (or digest) apart.
  std::string name = options.reference, tag = "latest";
  if (const auto at = name.find('@'); at != std::string::npos) {
    tag = name.substr(at + 1);
    name.resize(at);
  } else if (const auto colon = name.rfind(':'); colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    tag = name.substr(colon + 1);
    name.resize(colon);
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto found = impl_->credentials_for(options.reference))
    headers.emplace_back("X-Registry-Auth", auth::registry_auth_header(*found));
  auto response = impl_->call(http::Method::post, "/images/create" + http::query({{"fromImage", name}, {"tag", tag}}),
                              "pull `" + options.reference + "`", {}, {}, std::move(headers));
  PullStreamDecoder decoder(progress);
  char chunk[16 * 1024];
  while (const std::size_t n = response->read(chunk, sizeof chunk)) decoder.feed({chunk, n});
  if (decoder.error())
    throw Error(ErrorCategory::daemon_api,
                "Error response from daemon while trying to pull `" + options.reference + "`: " + *decoder.error());
  return ImagePullResult{inspect_image(options.reference).id};
}

}  // namespace gsc::docker
