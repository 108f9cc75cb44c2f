// Image endpoints: inspect, list, tag, remove, prune.

#include "docker/client_impl.hpp"
#include "docker/fields.hpp"

namespace gsc::docker {

ImageInspect Client::inspect_image(const std::string& name) {
  const std::string what = "inspect image `" + name + "`";
  const auto j = impl_->call_json(http::Method::get, "/images/" + http::path_encode(name) + "/json", what);
  if (!j.is_object()) fields::wrong_type(what, "(the answer)", j, "an object");
  ImageInspect out;
  out.id = fields::text(j, "Id", what);
  out.repo_tags = fields::text_list(j, "RepoTags", what).value_or(std::vector<std::string>{});
  out.parent = fields::text(j, "Parent", what);
  out.size = fields::integer(j, "Size", what);
  out.os = fields::text(j, "Os", what);
  out.architecture = fields::text(j, "Architecture", what);
  if (const auto* c = fields::object(j, "Config", what)) {
    out.config.entrypoint = fields::text_list(*c, "Entrypoint", what, "Config");
    out.config.cmd = fields::text_list(*c, "Cmd", what, "Config");
    if (auto env = fields::text_list(*c, "Env", what, "Config")) out.config.env = *env;
    out.config.working_dir = fields::text(*c, "WorkingDir", what, "Config");
    out.config.user = fields::text(*c, "User", what, "Config");
    out.config.labels = fields::text_map(*c, "Labels", what, "Config");
    if (const auto* volumes = fields::object(*c, "Volumes", what, "Config"))
      for (const auto& item : volumes->items()) out.config.volumes.push_back(item.key());
  }
  return out;
}

std::vector<ImageSummary> Client::list_images(const ImageListOptions& options) {
  std::map<std::string, std::vector<std::string>> filters{{"label", options.labels},
                                                          {"reference", options.references}};
  if (options.dangling) filters["dangling"] = {*options.dangling ? "true" : "false"};
  const std::string what = "list images";
  const auto j = impl_->call_json(
      http::Method::get,
      "/images/json" + http::query({{"all", options.all ? "1" : "0"}, {"filters", filters_json(filters)}}), what);
  if (!j.is_array()) fields::wrong_type(what, "(the answer)", j, "an array");
  std::vector<ImageSummary> out;
  for (const auto& item : j) {
    if (!item.is_object()) fields::wrong_type(what, "[]", item, "an object");
    ImageSummary s;
    s.id = fields::text(item, "Id", what);
    s.parent = fields::text(item, "ParentId", what);
    s.repo_tags = fields::text_list(item, "RepoTags", what).value_or(std::vector<std::string>{});
    s.labels = fields::text_map(item, "Labels", what);
    s.size = fields::integer(item, "Size", what);
    s.created = fields::integer(item, "Created", what);
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
  const std::string what = "prune images";
  const auto j = impl_->call_json(http::Method::post, "/images/prune" + http::query({{"filters", filters_json(filters)}}),
                                  what);
  ImagePruneResult out;
  if (const auto* deleted = fields::array(j, "ImagesDeleted", what))
    for (const auto& d : *deleted)
      if (const std::string id = fields::text(d, "Deleted", what, "ImagesDeleted[]"); !id.empty()) out.deleted.push_back(id);
  out.space_reclaimed = static_cast<std::uint64_t>(fields::integer(j, "SpaceReclaimed", what));
  return out;
}

}  // namespace gsc::docker
