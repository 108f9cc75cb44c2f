// Image endpoints: inspect, list, tag, remove, prune.

#include "docker/client_impl.hpp"

namespace gsc::docker {
namespace {

std::optional<std::vector<std::string>> string_list(const nlohmann::json& j) {
  if (!j.is_array()) return std::nullopt;
  return j.get<std::vector<std::string>>();
}

std::map<std::string, std::string> string_map(const nlohmann::json& j) {
  if (!j.is_object()) return {};
  return j.get<std::map<std::string, std::string>>();
}

}  // namespace

ImageInspect Client::inspect_image(const std::string& name) {
  const auto j = impl_->call_json(http::Method::get, "/images/" + http::path_encode(name) + "/json",
                                  "inspect image `" + name + "`");
  ImageInspect out;
  out.id = j.value("Id", "");
  if (j.contains("RepoTags") && j["RepoTags"].is_array()) out.repo_tags = j["RepoTags"].get<std::vector<std::string>>();
  out.parent = j.value("Parent", "");
  out.size = j.value("Size", std::int64_t{0});
  out.os = j.value("Os", "");
  out.architecture = j.value("Architecture", "");
  if (j.contains("Config") && j["Config"].is_object()) {
    const auto& c = j["Config"];
    out.config.entrypoint = string_list(c.value("Entrypoint", nlohmann::json()));
    out.config.cmd = string_list(c.value("Cmd", nlohmann::json()));
    if (auto env = string_list(c.value("Env", nlohmann::json()))) out.config.env = *env;
    out.config.working_dir = c.value("WorkingDir", "");
    out.config.user = c.value("User", "");
    out.config.labels = string_map(c.value("Labels", nlohmann::json()));
    if (const auto volumes = c.value("Volumes", nlohmann::json()); volumes.is_object())
      for (const auto& item : volumes.items()) out.config.volumes.push_back(item.key());
  }
  return out;
}

std::vector<ImageSummary> Client::list_images(const ImageListOptions& options) {
  std::map<std::string, std::vector<std::string>> filters{{"label", options.labels},
                                                          {"reference", options.references}};
  if (options.dangling) filters["dangling"] = {*options.dangling ? "true" : "false"};
  const auto j = impl_->call_json(
      http::Method::get,
      "/images/json" + http::query({{"all", options.all ? "1" : "0"}, {"filters", filters_json(filters)}}),
      "list images");
  std::vector<ImageSummary> out;
  for (const auto& item : j) {
    ImageSummary s;
    s.id = item.value("Id", "");
    s.parent = item.value("ParentId", "");
    if (item.contains("RepoTags") && item["RepoTags"].is_array())
      s.repo_tags = item["RepoTags"].get<std::vector<std::string>>();
    s.labels = string_map(item.value("Labels", nlohmann::json()));
    s.size = item.value("Size", std::int64_t{0});
    s.created = item.value("Created", std::int64_t{0});
    out.push_back(std::move(s));
  }
  return out;
}

void Client::tag_image(const std::string& source, const std::string& repository, const std::string& tag) {
  impl_->call(http::Method::post,
              "/images/" + http::path_encode(source) + "/tag" + http::query({{"repo", repository}, {"tag", tag}}),
              "tag image `" + source + "` as `" + repository + ":" + tag + "`");
}

void Client::remove_image(const std::string& name, const ImageRemoveOptions& options) {
  impl_->call(http::Method::del,
              "/images/" + http::path_encode(name) +
                  http::query({{"force", options.force ? "1" : "0"}, {"noprune", options.noprune ? "1" : "0"}}),
              "remove image `" + name + "`")
      ->read_all();
}

ImagePruneResult Client::prune_images(const ImagePruneOptions& options) {
  std::map<std::string, std::vector<std::string>> filters{{"label", options.labels},
                                                          {"dangling", {options.dangling_only ? "true" : "false"}}};
  const auto j = impl_->call_json(http::Method::post, "/images/prune" + http::query({{"filters", filters_json(filters)}}),
                                  "prune images");
  ImagePruneResult out;
  if (j.contains("ImagesDeleted") && j["ImagesDeleted"].is_array())
    for (const auto& d : j["ImagesDeleted"])
      if (d.contains("Deleted")) out.deleted.push_back(d["Deleted"].get<std::string>());
  out.space_reclaimed = j.value("SpaceReclaimed", std::uint64_t{0});
  return out;
}

}  // namespace gsc::docker
