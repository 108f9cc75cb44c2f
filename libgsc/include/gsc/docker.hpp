#pragma once
// A client of the Docker Engine API: one small call per endpoint, each taking an options
// struct and returning a result struct. Speaks HTTP/1.1 over the daemon's unix socket, TCP
// or TLS, as DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH say. Every path carries the
// API version negotiated with /_ping (the lower of the daemon's and ours).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gsc/byte_source.hpp"
#include "gsc/export.hpp"
#include "gsc/progress.hpp"

namespace gsc::docker {

// Where the daemon listens.
struct GSC_API Endpoint {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string socket_path = "/var/run/docker.sock";  // unix
  std::string host;                                  // tcp
  std::uint16_t port = 0;                            // tcp
  bool tls = false;                                  // tcp: TLS on
  bool tls_verify = false;                           // check the daemon's certificate against ca.pem
  std::string cert_path;                             // ca.pem, cert.pem, key.pem live here

  std::string to_string() const;  // unix:///var/run/docker.sock, tcp://host:port
};

// Parses DOCKER_HOST-style text ("unix:///path", "tcp://host[:port]"; empty = default socket).
// TLS settings come from the DOCKER_TLS_VERIFY / DOCKER_CERT_PATH / DOCKER_TLS values passed
// in, read as the docker CLI reads them: any non-empty DOCKER_TLS_VERIFY (even "0" or "false")
// means TLS with the daemon's certificate checked; DOCKER_TLS alone means TLS unchecked.
GSC_API Endpoint parse_endpoint(const std::string& docker_host, const std::string& tls_verify = "",
                                const std::string& cert_path = "", const std::string& tls = "");

// Reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and DOCKER_TLS from the environment.
GSC_API Endpoint endpoint_from_environment();

// Credentials for one registry, as `docker login` stores them.
struct RegistryAuth {
  std::string username;
  std::string password;
  std::string identity_token;  // instead of username/password, for registries that issue one
  std::string server_address;  // "127.0.0.1:5000", or "https://index.docker.io/v1/" for the Docker Hub
};

// The registry an image reference is pulled from, as docker reads the reference: its first
// component when that has a `.` or `:` or is `localhost`, else the Docker Hub, "docker.io".
GSC_API std::string registry_of(const std::string& reference);

// Gives the credentials for a registry ("127.0.0.1:5000", "docker.io"); nullopt: anonymous.
using CredentialsFn = std::function<std::optional<RegistryAuth>(const std::string& registry)>;

// The docker CLI's credentials: config.json in $DOCKER_CONFIG or ~/.docker, its `credHelpers`
// and `credsStore` (asking `docker-credential-<name> get`, as the CLI does), then its `auths`.
// The file is read at each call; no file means no credentials.
GSC_API CredentialsFn docker_config_credentials();

// The highest API version this client speaks.
inline constexpr const char* kMaxApiVersion = "1.45";

// The version to use: the lower of the daemon's and the client's ("1.41" < "1.45").
GSC_API std::string negotiate_api_version(const std::string& daemon_version, const std::string& client_max = kMaxApiVersion);

struct PingResult {
  std::string api_version;  // the daemon's Api-Version header
  std::string os_type;
};

struct VersionResult {
  std::string version;      // e.g. 20.10.24+dfsg1
  std::string api_version;
  std::string min_api_version;
  std::string os;
  std::string arch;
  std::string kernel_version;
};

struct ImageConfig {
  std::optional<std::vector<std::string>> entrypoint;  // null and [] differ
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;                        // "K=V"
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> volumes;                    // VOLUME paths, sorted
};

struct ImageInspect {
  std::string id;                      // sha256:...
  std::vector<std::string> repo_tags;
  std::string parent;
  std::int64_t size = 0;
  std::string os;
  std::string architecture;
  ImageConfig config;
};

struct ImageSummary {
  std::string id;
  std::string parent;                  // "" for a base image
  std::vector<std::string> repo_tags;
  std::map<std::string, std::string> labels;
  std::int64_t size = 0;
  std::int64_t created = 0;
};

struct ImageListOptions {
  bool all = false;                    // include intermediate images
  std::vector<std::string> labels;     // "k" or "k=v" filters
  std::vector<std::string> references; // "repo:tag" patterns
  std::optional<bool> dangling;
};

struct ImageRemoveOptions {
  bool force = false;
  bool noprune = false;
};

struct ImagePruneOptions {
  std::vector<std::string> labels;     // only images with these labels
  bool dangling_only = true;
};

struct ImagePruneResult {
  std::vector<std::string> deleted;
  std::uint64_t space_reclaimed = 0;
};

struct ImageLoadResult {
  std::vector<std::string> loaded;     // ids of the images the daemon loaded ("sha256:...")
};

struct BuildOptions {
  std::string context;                 // an uncompressed tar archive, in memory
  std::string dockerfile = "Dockerfile";
  std::vector<std::string> tags;
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;
  bool no_cache = false;
  bool remove_intermediate = true;     // rm
  bool force_remove_intermediate = true;  // forcerm: also after a failed step
  bool pull = false;
  // Images the Dockerfile names that the daemon may pull: the credentials for their
  // registries travel with the build (X-Registry-Config), as the docker CLI sends them.
  std::vector<std::string> pulls;
};

struct BuildResult {
  std::string image_id;                // sha256:...
};

struct ImagePullOptions {
  std::string reference;               // name[:tag] or name@digest; no tag means `latest`
};

struct ImagePullResult {
  std::string image_id;
};

struct ContainerCreateOptions {
  std::string image;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;
  std::map<std::string, std::string> labels;
  std::string working_dir;
  std::string user;
  bool network_disabled = false;
  std::string name;                    // empty: the daemon picks one
  bool open_stdin = false;             // stdin open for one attach_container(), closed after it
  std::map<std::string, std::string> tmpfs;  // mount point -> options ("mode=0700"): in no layer
};

struct ContainerListOptions {
  bool all = false;                    // also stopped and created (never started) ones
  std::vector<std::string> labels;     // "k" or "k=v" filters
};

struct ContainerSummary {
  std::string id;
  std::string image;
  std::string state;                   // created, running, exited, ...
  std::map<std::string, std::string> labels;
};

struct ContainerCreateResult {
  std::string id;
  std::vector<std::string> warnings;
};

struct ContainerWaitResult {
  int exit_code = -1;
};

struct ContainerLogsOptions {
  bool stdout_stream = true;
  bool stderr_stream = true;
};

struct ContainerLogs {
  std::string out;
  std::string err;
};

struct ContainerRemoveOptions {
  bool force = false;
  bool volumes = false;
};

// A container's stdin, stdout and stderr over one hijacked connection (POST .../attach).
class GSC_API ContainerStreams {
 public:
  virtual ~ContainerStreams() = default;
  // Writes to the container's stdin.
  virtual void write(const std::string& bytes) = 0;
  // Ends the container's stdin (it sees EOF).
  virtual void close_stdin() = 0;
  // Blocks until output arrives: appends it to out or err; false once the container's
  // output ended (it exited).
  virtual bool read(std::string& out, std::string& err) = 0;
};

struct ContainerCommitOptions {
  std::string container;
  std::string comment;
  ImageConfig config;                  // the image's config (not the container's)
};

struct ContainerCommitResult {
  std::string image_id;
};

// Threads: a Client may be shared by several threads once configured (set_credentials()
// before sharing): every request has a connection of its own, and the API version is
// negotiated once, under a lock. Requests made on the thread of a gsc operation (see
// gsc/operation.hpp) are interrupted when that operation is stopped.
class GSC_API Client {
 public:
  // A client for the daemon that DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) names,
  // with the docker CLI's registry credentials (docker_config_credentials()).
  static Client from_environment();
  explicit Client(Endpoint endpoint);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  const Endpoint& endpoint() const;
  // Where pulls and builds get registry credentials from; none by default.
  void set_credentials(CredentialsFn credentials);
  // The credentials pulls from `registry` ("127.0.0.1:5000", "docker.io") would send.
  std::optional<RegistryAuth> credentials(const std::string& registry) const;
  // The negotiated API version ("1.41"); pings the daemon the first time.
  std::string api_version();

  PingResult ping();
  VersionResult version();

  ImageInspect inspect_image(const std::string& name);
  std::vector<ImageSummary> list_images(const ImageListOptions& options = {});
  void tag_image(const std::string& source, const std::string& repository, const std::string& tag);
  void remove_image(const std::string& name, const ImageRemoveOptions& options = {});
  ImagePruneResult prune_images(const ImagePruneOptions& options = {});
  // GET /images/{name}/json as the daemon sends it: every field, for a faithful copy of a config.
  std::string inspect_image_json(const std::string& name);
  // POST /images/load: a `docker save`-format tar (manifest.json, image configs, layers). A
  // layer the daemon already has may be left out of the tar: loading then costs a config.
  ImageLoadResult load_image(const std::string& archive);
  // POST /build: streams the context, hands each output line to progress as it arrives. A
  // line of more than 1 MiB without a newline fails the build (build_failed); a stream
  // message of more than 1 MiB, or a field of the wrong type, is a daemon_api error.
  BuildResult build(const BuildOptions& options, const ProgressFn& progress = {});
  // POST /images/create: pulls an image with the registry's credentials, reporting each
  // layer's state changes (not every byte count) to progress.
  ImagePullResult pull_image(const ImagePullOptions& options, const ProgressFn& progress = {});

  // Within a gsc operation (on its thread), the container also gets the operation's labels
  // (gsc.owner, gsc.operation) and is removed if the operation fails or is cancelled.
  ContainerCreateResult create_container(const ContainerCreateOptions& options);
  std::vector<ContainerSummary> list_containers(const ContainerListOptions& options = {});
  void start_container(const std::string& id);
  ContainerWaitResult wait_container(const std::string& id);
  // GET /containers/{id}/logs: the end of each stream (its last 1 to 2 MiB), whatever the
  // container printed: logs serve error messages.
  ContainerLogs container_logs(const std::string& id, const ContainerLogsOptions& options = {});
  void remove_container(const std::string& id, const ContainerRemoveOptions& options = {});
  // Attaches to a created container's stdin, stdout and stderr (call before starting it).
  std::unique_ptr<ContainerStreams> attach_container(const std::string& id);
  // POST /commit: the container's filesystem changes as an image with the given config.
  ContainerCommitResult commit_container(const ContainerCommitOptions& options);

  // GET /containers/{id}/archive: a tar of `path`, streamed.
  std::unique_ptr<ByteSource> get_archive(const std::string& id, const std::string& path);
  // PUT /containers/{id}/archive: extracts the tar `archive` into directory `path`.
  void put_archive(const std::string& id, const std::string& path, const std::string& archive);
  // GET /containers/{id}/export: the container's whole filesystem as a tar, streamed.
  std::unique_ptr<ByteSource> export_container(const std::string& id);

 private:
  struct GSC_HIDDEN Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gsc::docker
