// Container endpoints: create, start, wait, logs, remove.

#include "docker/client_impl.hpp"
#include "docker/stream.hpp"

namespace gsc::docker {

ContainerCreateResult Client::create_container(const ContainerCreateOptions& options) {
  nlohmann::json body = {{"Image", options.image}, {"Labels", options.labels}, {"Env", options.env},
                         {"NetworkDisabled", options.network_disabled}};
  if (options.entrypoint) body["Entrypoint"] = *options.entrypoint;
  if (options.cmd) body["Cmd"] = *options.cmd;
  if (!options.working_dir.empty()) body["WorkingDir"] = options.working_dir;
  if (!options.user.empty()) body["User"] = options.user;
  const std::string path =
      "/containers/create" + (options.name.empty() ? std::string() : http::query({{"name", options.name}}));
  const auto j = impl_->call_json(http::Method::post, path, "create a container from `" + options.image + "`", body);
  ContainerCreateResult out;
  out.id = j.value("Id", "");
  if (j.contains("Warnings") && j["Warnings"].is_array())
    for (const auto& w : j["Warnings"])
      if (w.is_string()) out.warnings.push_back(w.get<std::string>());
  return out;
}

void Client::start_container(const std::string& id) {
  impl_->call(http::Method::post, "/containers/" + http::path_encode(id) + "/start", "start container " + id)
      ->read_all();
}

ContainerWaitResult Client::wait_container(const std::string& id) {
  const auto j = impl_->call_json(http::Method::post, "/containers/" + http::path_encode(id) + "/wait",
                                  "wait for container " + id);
  return ContainerWaitResult{j.value("StatusCode", -1)};
}

ContainerLogs Client::container_logs(const std::string& id, const ContainerLogsOptions& options) {
  auto response = impl_->call(http::Method::get,
                              "/containers/" + http::path_encode(id) + "/logs" +
                                  http::query({{"stdout", options.stdout_stream ? "1" : "0"},
                                               {"stderr", options.stderr_stream ? "1" : "0"}}),
                              "read the logs of container " + id);
  const bool multiplexed = response->header("Content-Type") != "application/vnd.docker.raw-stream";
  LogDemuxer demux;
  ContainerLogs out;
  char chunk[16 * 1024];
  while (const std::size_t n = response->read(chunk, sizeof chunk)) {
    if (multiplexed) demux.feed({chunk, n});
    else out.out.append(chunk, n);
  }
  if (multiplexed) {
    out.out = std::move(demux.out);
    out.err = std::move(demux.err);
  }
  return out;
}

void Client::remove_container(const std::string& id, const ContainerRemoveOptions& options) {
  impl_->call(http::Method::del,
              "/containers/" + http::path_encode(id) +
                  http::query({{"force", options.force ? "1" : "0"}, {"v", options.volumes ? "1" : "0"}}),
              "remove container " + id)
      ->read_all();
}

}  // namespace gsc::docker
