// Container endpoints: create, start, wait, logs, remove, attach, commit.

#include <optional>

#include "docker/client_impl.hpp"
#include "docker/fields.hpp"
#include "docker/operation.hpp"
#include "docker/stream.hpp"

namespace gsc::docker {

ContainerCreateResult Client::create_container(const ContainerCreateOptions& options) {
  Operation* op = current_operation();
  if (op) op->throw_if_stopped();
  auto labels = options.labels;
  if (op)
    for (const auto& [key, value] : op->labels()) labels[key] = value;
  nlohmann::json body = {{"Image", options.image}, {"Labels", labels}, {"Env", options.env},
                         {"NetworkDisabled", options.network_disabled}};
  if (options.entrypoint) body["Entrypoint"] = *options.entrypoint;
  if (options.cmd) body["Cmd"] = *options.cmd;
  if (!options.working_dir.empty()) body["WorkingDir"] = options.working_dir;
  if (!options.user.empty()) body["User"] = options.user;
  if (options.open_stdin) {
    body["OpenStdin"] = true;
    body["StdinOnce"] = true;  // closed when the one attach ends its side
    body["AttachStdin"] = true;
    body["AttachStdout"] = true;
    body["AttachStderr"] = true;
  }
  if (!options.tmpfs.empty()) body["HostConfig"] = {{"Tmpfs", options.tmpfs}};
  const std::string path =
      "/containers/create" + (options.name.empty() ? std::string() : http::query({{"name", options.name}}));
  const std::string what = "create a container from `" + options.image + "`";
  nlohmann::json j;
  {
    // Never cut by a stop: a creation cut off could still happen in the daemon, unseen; its
    // answer tells what was made. The stop takes effect right after.
    std::optional<CleanupScope> uncut;
    if (op) uncut.emplace();
    j = impl_->call_json(http::Method::post, path, what, body);
  }
  ContainerCreateResult out;
  out.id = fields::text(j, "Id", what);
  if (op && !out.id.empty()) op->created_container(out.id);
  if (op) op->throw_if_stopped();
  out.warnings = fields::text_list(j, "Warnings", what).value_or(std::vector<std::string>{});
  return out;
}

std::vector<ContainerSummary> Client::list_containers(const ContainerListOptions& options) {
  const auto j = impl_->call_json(
      http::Method::get,
      "/containers/json" + http::query({{"all", options.all ? "1" : "0"},
                                        {"filters", filters_json({{"label", options.labels}})}}),
      "list containers");
  std::vector<ContainerSummary> out;
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (!item.is_object()) continue;
    ContainerSummary c;
    if (item.contains("Id") && item["Id"].is_string()) c.id = item["Id"].get<std::string>();
    if (item.contains("Image") && item["Image"].is_string()) c.image = item["Image"].get<std::string>();
    if (item.contains("State") && item["State"].is_string()) c.state = item["State"].get<std::string>();
    if (item.contains("Labels") && item["Labels"].is_object())
      for (const auto& [key, value] : item["Labels"].items())
        if (value.is_string()) c.labels[key] = value.get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

void Client::start_container(const std::string& id) {
  impl_->call(http::Method::post, "/containers/" + http::path_encode(id) + "/start", "start container " + id)
      ->read_all();
}

ContainerWaitResult Client::wait_container(const std::string& id) {
  const std::string what = "wait for container " + id;
  const auto j = impl_->call_json(http::Method::post, "/containers/" + http::path_encode(id) + "/wait", what);
  return ContainerWaitResult{static_cast<int>(fields::integer(j, "StatusCode", what, -1))};
}

ContainerLogs Client::container_logs(const std::string& id, const ContainerLogsOptions& options) {
  auto response = impl_->call(http::Method::get,
                              "/containers/" + http::path_encode(id) + "/logs" +
                                  http::query({{"stdout", options.stdout_stream ? "1" : "0"},
                                               {"stderr", options.stderr_stream ? "1" : "0"}}),
                              "read the logs of container " + id);
  const bool multiplexed = response->header("Content-Type") != "application/vnd.docker.raw-stream";
  // Logs serve error messages (their last lines): only their tail is kept, whatever the
  // container printed.
  constexpr std::size_t kTail = 1 << 20;
  LogDemuxer demux(kTail);
  ContainerLogs out;
  char chunk[16 * 1024];
  while (const std::size_t n = response->read(chunk, sizeof chunk)) {
    if (multiplexed) {
      demux.feed({chunk, n});
    } else {
      out.out.append(chunk, n);
      keep_tail(out.out, kTail);
    }
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

namespace {

// The attach connection: stdin goes up raw, stdout and stderr come back multiplexed (no TTY).
class AttachedStreams final : public ContainerStreams {
 public:
  explicit AttachedStreams(std::unique_ptr<http::Upgraded> connection) : connection_(std::move(connection)) {}
  void write(const std::string& bytes) override { connection_->write(bytes); }
  void close_stdin() override { connection_->close_write(); }
  bool read(std::string& out, std::string& err) override {
    char chunk[16 * 1024];
    const std::size_t n = connection_->read(chunk, sizeof chunk);
    if (n == 0) return false;
    demux_.feed({chunk, n});
    out += demux_.out;
    err += demux_.err;
    demux_.out.clear();
    demux_.err.clear();
    return true;
  }

 private:
  std::unique_ptr<http::Upgraded> connection_;
  LogDemuxer demux_;
};

}  // namespace

std::unique_ptr<ContainerStreams> Client::attach_container(const std::string& id) {
  http::Request request{http::Method::post,
                        impl_->versioned("/containers/" + http::path_encode(id) + "/attach" +
                                         http::query({{"stream", "1"}, {"stdin", "1"}, {"stdout", "1"}, {"stderr", "1"}})),
                        {}, {}, {}};
  return std::make_unique<AttachedStreams>(http::upgrade(impl_->endpoint, request, "attach to container " + id));
}

ContainerCommitResult Client::commit_container(const ContainerCommitOptions& options) {
  const auto& c = options.config;
  nlohmann::json config = {{"Env", c.env}, {"Labels", c.labels}, {"WorkingDir", c.working_dir}, {"User", c.user}};
  config["Entrypoint"] = c.entrypoint ? nlohmann::json(*c.entrypoint) : nlohmann::json();
  config["Cmd"] = c.cmd ? nlohmann::json(*c.cmd) : nlohmann::json();
  const std::string what = "commit container " + options.container;
  const auto j = impl_->call_json(
      http::Method::post,
      "/commit" + http::query({{"container", options.container}, {"comment", options.comment}, {"pause", "0"}}), what,
      config);
  return ContainerCommitResult{fields::text(j, "Id", what)};
}

}  // namespace gsc::docker
