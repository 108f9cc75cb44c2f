#include "ops/stage_base.hpp"

#include <nlohmann/json.hpp>

#include "docker/operation.hpp"
#include "gsc/error.hpp"
#include "image/scan.hpp"
#include "tar/writer.hpp"

namespace gsc::ops {

std::optional<TriggerFreeConfig> config_without_triggers(const std::string& inspect_json) {
  const auto inspect = nlohmann::json::parse(inspect_json, nullptr, false);
  if (!inspect.is_object() || !inspect.contains("Config") || !inspect["Config"].is_object()) return std::nullopt;
  const auto on_build = inspect["Config"].value("OnBuild", nlohmann::json());
  if (!on_build.is_array() || on_build.empty()) return std::nullopt;
  const auto& rootfs = inspect.value("RootFS", nlohmann::json());
  if (!rootfs.is_object() || !rootfs.value("Layers", nlohmann::json()).is_array())
    throw Error(ErrorCategory::daemon_api, "The daemon's description of the app image has no layer list "
                                           "(RootFS.Layers). Check the daemon (DOCKER_HOST).");

  // The fields of an image config that `docker image inspect` shows (no history: `docker
  // history` of the result starts here).
  auto text = [&](const char* key) {
    const auto it = inspect.find(key);
    return it != inspect.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  nlohmann::json config = inspect["Config"];
  config["OnBuild"] = nullptr;
  nlohmann::json out = {{"architecture", text("Architecture")},
                        {"os", text("Os")},
                        {"config", config},
                        {"rootfs", {{"type", "layers"}, {"diff_ids", rootfs["Layers"]}}}};
  for (const auto& [field, key] : {std::pair{"Created", "created"}, {"Variant", "variant"}, {"Author", "author"},
                                   {"Comment", "comment"}})
    if (const std::string value = text(field); !value.empty()) out[key] = value;
  return TriggerFreeConfig{out.dump(), on_build.size()};  // keys sorted: the same bytes every time
}

StageBase stage_base(docker::Client& client, const docker::ImageInspect& app, const ProgressFn& progress) {
  StageBase base;
  const auto trigger_free = config_without_triggers(client.inspect_image_json(app.id));
  if (!trigger_free) {
    base.id = app.id;
    return base;
  }
  const std::string& config = trigger_free->config;
  base.triggers = trigger_free->triggers;
  const std::string hex = image::sha256_hex(config);
  base.id = "sha256:" + hex;
  report(progress, ProgressEvent::Kind::info,
         "the app image has " + std::to_string(base.triggers) + " ONBUILD trigger(s): gsc builds on " +
             base.id.substr(0, 19) + ", the same image without them, so none runs in gsc's builds");
  if (find_image(client, base.id)) return base;  // a previous build's (the daemon derives ids from content)

  // A `docker save` tar of the config alone: the daemon has every layer, so it reads none.
  nlohmann::json manifest = nlohmann::json::array({{{"Config", hex + ".json"}, {"RepoTags", nullptr}}});
  auto& layers = manifest[0]["Layers"] = nlohmann::json::array();
  const auto diff_ids = nlohmann::json::parse(config)["rootfs"]["diff_ids"];
  for (std::size_t i = 0; i < diff_ids.size(); ++i) layers.push_back("layer" + std::to_string(i) + "/layer.tar");
  tar::Writer archive;
  archive.add_file(hex + ".json", config);
  archive.add_file("manifest.json", manifest.dump());

  // Its id is known before: recorded first, so a load cut off by a stop is removed too.
  if (auto* op = docker::current_operation()) op->created_image(base.id);  // it was not there before
  {
    const auto loaded = client.load_image(archive.finish());
    // The daemon names an image by the digest of its config bytes: anything else is not ours.
    if (loaded.loaded.size() != 1 || loaded.loaded.front() != base.id)
      throw Error(ErrorCategory::daemon_api, "The daemon loaded the app image's config without triggers as `" +
                                                 (loaded.loaded.empty() ? std::string("nothing") : loaded.loaded.front()) +
                                                 "`, not as `" + base.id + "`. Check the daemon (DOCKER_HOST).");
    base.created = std::make_unique<OwnedImage>(client, base.id);
  }
  return base;
}

}  // namespace gsc::ops
