// POST /images/load, and the raw GET /images/{name}/json an image config is copied from.

#include <sstream>

#include "docker/client_impl.hpp"

namespace gsc::docker {

std::string Client::inspect_image_json(const std::string& name) {
  return impl_
      ->call(http::Method::get, "/images/" + http::path_encode(name) + "/json", "inspect image `" + name + "`")
      ->read_all(16 << 20);
}

ImageLoadResult Client::load_image(const std::string& archive) {
  auto response = impl_->call(http::Method::post, "/images/load" + http::query({{"quiet", "1"}}), "load an image",
                              archive, "application/x-tar");
  // One JSON object per line: {"stream": "Loaded image ID: sha256:...\n"} or {"error": ...}.
  std::istringstream lines(response->read_all(1 << 20));
  ImageLoadResult out;
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    if (const auto error = j.find("error"); error != j.end() && error->is_string())
      throw Error(ErrorCategory::daemon_api, "Error response from daemon while loading an image: " +
                                                 error->get<std::string>());
    const auto stream = j.find("stream");
    if (stream == j.end() || !stream->is_string()) continue;
    static const std::string kLoaded = "Loaded image ID: ";
    const std::string text = stream->get<std::string>();
    if (text.rfind(kLoaded, 0) != 0) continue;
    std::string id = text.substr(kLoaded.size());
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    out.loaded.push_back(std::move(id));
  }
  return out;
}

}  // namespace gsc::docker
