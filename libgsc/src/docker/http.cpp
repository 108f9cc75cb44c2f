#include "docker/http.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stop_token>
#include <variant>

#include "docker/operation.hpp"

namespace gsc::docker::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using local_socket = asio::local::stream_protocol::socket;
using tcp_socket = asio::ip::tcp::socket;
using tls_stream = asio::ssl::stream<tcp_socket>;

namespace {

bhttp::verb verb_of(Method m) {
  switch (m) {
    case Method::get: return bhttp::verb::get;
    case Method::post: return bhttp::verb::post;
    case Method::put: return bhttp::verb::put;
    case Method::del: return bhttp::verb::delete_;
    case Method::head: return bhttp::verb::head;
  }
  return bhttp::verb::get;
}

[[noreturn]] void unreachable(const Endpoint& endpoint, const boost::system::error_code& ec) {
  if (ec == boost::system::errc::permission_denied)
    throw Error(ErrorCategory::daemon_unavailable,
                "Permission denied on `" + endpoint.socket_path +
                    "`. Run gsc as root or add your user to the `docker` group.");
  if (endpoint.kind == Endpoint::Kind::tcp)
    throw Error(ErrorCategory::daemon_unavailable,
                "Cannot connect to the Docker daemon at " + endpoint.to_string() + " (" + ec.message() +
                    "). Is a daemon listening there? Check DOCKER_HOST.");
  throw Error(ErrorCategory::daemon_unavailable,
              "Cannot connect to the Docker daemon at " + endpoint.to_string() + " (" + ec.message() +
                  "). Is the docker daemon running? Start it with `scripts/start-dockerd.sh` or "
                  "`systemctl start docker`, or set DOCKER_HOST.");
}

// Plain HTTP to a TLS port ends in a broken connection (or a 400): say what to set.
std::string plain_http_hint(const Endpoint& endpoint) {
  if (endpoint.kind != Endpoint::Kind::tcp || endpoint.tls) return "";
  return " If the daemon there expects TLS, set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH.";
}

[[noreturn]] void broken(const Endpoint& endpoint, const boost::system::error_code& ec) {
  throw Error(ErrorCategory::daemon_unavailable, "The connection to the Docker daemon at " + endpoint.to_string() +
                                                     " broke: " + ec.message() + "." + plain_http_hint(endpoint));
}

std::string cert_dir(const std::string& cert_path) {
  if (!cert_path.empty()) return cert_path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.docker";
}

bool is_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

// A failed TLS handshake, with the likely cause for the usual failures.
[[noreturn]] void handshake_failed(const Endpoint& endpoint, const std::string& dir, const boost::system::error_code& ec) {
  const std::string what = ec.message();
  std::string hint = " Check DOCKER_CERT_PATH (`" + dir + "`): ca.pem, cert.pem and key.pem of the daemon's CA.";
  if (what.find("certificate verify failed") != std::string::npos)
    hint = " The daemon's certificate is not signed by `" + dir +
           "/ca.pem`, or not for this host: set DOCKER_CERT_PATH to the folder with the daemon's CA.";
  else if (what.find("wrong version number") != std::string::npos || what.find("packet length") != std::string::npos ||
           what.find("http request") != std::string::npos)
    hint = " The daemon there does not speak TLS: unset DOCKER_TLS_VERIFY (and DOCKER_TLS), or use its TLS port.";
  else if (what.find("alert") != std::string::npos && what.find("certificate") != std::string::npos)
    hint = " The daemon wants a client certificate it accepts: `" + dir + "` must hold cert.pem and key.pem signed "
           "by its CA.";
  throw Error(ErrorCategory::daemon_unavailable,
              "TLS handshake with the Docker daemon at " + endpoint.to_string() + " failed: " + what + "." + hint);
}

class BeastResponse final : public Response {
 public:
  // `stop`: shuts the connection down when requested (the operation's, or a cleanup's deadline).
  BeastResponse(const Endpoint& endpoint, std::stop_token stop) : endpoint_(endpoint), stop_(std::move(stop)) {
    parser_.body_limit(boost::none);
  }

  void connect() {
    if (stop_.stop_requested()) cancelled();
    connect_stream();
    on_stop_.emplace(stop_, Abort{this});  // runs at once if stop came meanwhile
  }

  void connect_stream() {
    boost::system::error_code ec;
    if (endpoint_.kind == Endpoint::Kind::unix_socket) {
      auto& s = stream_.emplace<local_socket>(io_);
      s.connect(asio::local::stream_protocol::endpoint(endpoint_.socket_path), ec);
      if (ec) unreachable(endpoint_, ec);
      return;
    }
    asio::ip::tcp::resolver resolver(io_);
    const auto results = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
    if (ec) unreachable(endpoint_, ec);
    if (!endpoint_.tls) {
      auto& s = stream_.emplace<tcp_socket>(io_);
      asio::connect(s, results, ec);
      if (ec) unreachable(endpoint_, ec);
      return;
    }
    // As the docker CLI: the CA of DOCKER_CERT_PATH when it is there (else the system's), and
    // the client certificate when both of its files are there.
    ssl_.emplace(asio::ssl::context::tls_client);
    const std::string dir = cert_dir(endpoint_.cert_path);
    try {
      if (endpoint_.tls_verify) {
        if (is_file(dir + "/ca.pem")) ssl_->load_verify_file(dir + "/ca.pem");
        else ssl_->set_default_verify_paths();
        ssl_->set_verify_mode(asio::ssl::verify_peer);
      } else {
        ssl_->set_verify_mode(asio::ssl::verify_none);
      }
      if (is_file(dir + "/cert.pem") && is_file(dir + "/key.pem")) {
        ssl_->use_certificate_chain_file(dir + "/cert.pem");
        ssl_->use_private_key_file(dir + "/key.pem", asio::ssl::context::pem);
      }
    } catch (const boost::system::system_error& e) {
      throw Error(ErrorCategory::input, "Cannot load the TLS certificates in `" + dir + "` (" + e.what() +
                                            "). Set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem.");
    }
    auto& s = stream_.emplace<tls_stream>(io_, *ssl_);
    if (endpoint_.tls_verify) s.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
    SSL_set_tlsext_host_name(s.native_handle(), endpoint_.host.c_str());
    asio::connect(s.next_layer(), results, ec);
    if (ec) unreachable(endpoint_, ec);
    s.handshake(asio::ssl::stream_base::client, ec);
    if (ec) handshake_failed(endpoint_, dir, ec);
  }

  void exchange(const Request& request) {
    bhttp::request<bhttp::string_body> req{verb_of(request.method), request.target, 11};
    req.set(bhttp::field::host,
            endpoint_.kind == Endpoint::Kind::unix_socket ? "api.moby.localhost"
                                                          : endpoint_.host + ":" + std::to_string(endpoint_.port));
    req.set(bhttp::field::user_agent, "gsc");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : request.headers)
      if (beast::iequals(name, "Upgrade")) req.set(bhttp::field::connection, "Upgrade");
    if (!request.content_type.empty()) req.set(bhttp::field::content_type, request.content_type);
    for (const auto& [name, value] : request.headers) req.set(name, value);
    req.body() = request.body;
    req.prepare_payload();
    boost::system::error_code ec;
    std::visit(
        [&](auto& s) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
            bhttp::write(s, req, ec);
            if (!ec) bhttp::read_header(s, buffer_, parser_, ec);
          }
        },
        stream_);
    if (ec) fail(ec);
  }

  int status() const override { return static_cast<int>(parser_.get().result_int()); }

  [[noreturn]] void cancelled() const {
    throw Error(ErrorCategory::cancelled, "Cancelled on request: the connection to the Docker daemon at " +
                                              endpoint_.to_string() + " was closed.");
  }

  // A broken connection; one this side shut down on a stop request is a cancellation.
  [[noreturn]] void fail(const boost::system::error_code& ec) const {
    if (stop_.stop_requested()) cancelled();
    broken(endpoint_, ec);
  }

  void abort() noexcept override {
    const int fd = native_fd();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }

  int native_fd() noexcept {
    int fd = -1;
    std::visit(
        [&](auto& s) {
          using S = std::decay_t<decltype(s)>;
          if constexpr (std::is_same_v<S, tls_stream>) fd = s.next_layer().native_handle();
          else if constexpr (!std::is_same_v<S, std::monostate>) fd = s.native_handle();
        },
        stream_);
    return fd;
  }

  std::string header(const std::string& name) const override {
    const auto it = parser_.get().find(name);
    return it == parser_.get().end() ? std::string() : std::string(it->value());
  }

  // After an upgrade: the bytes that followed the answer's header, then the socket's.
  std::size_t read_raw(void* buffer, std::size_t size) {
    if (size == 0) return 0;
    if (buffer_.size() > 0) {
      const std::size_t n = asio::buffer_copy(asio::buffer(buffer, size), buffer_.data());
      buffer_.consume(n);
      return n;
    }
    boost::system::error_code ec;
    std::size_t n = 0;
    std::visit(
        [&](auto& s) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
            n = s.read_some(asio::buffer(buffer, size), ec);
        },
        stream_);
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return 0;
    if (ec) fail(ec);
    return n;
  }

  void write_raw(const std::string& bytes) {
    boost::system::error_code ec;
    std::visit(
        [&](auto& s) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
            asio::write(s, asio::buffer(bytes), ec);
        },
        stream_);
    if (ec) fail(ec);
  }

  // A TCP half-close, under TLS too (a close_notify would end both directions).
  void close_write() {
    const int fd = native_fd();
    if (fd >= 0) ::shutdown(fd, SHUT_WR);
  }

  std::size_t read(void* buffer, std::size_t size) override {
    if (size == 0 || parser_.is_done()) return 0;
    auto& body = parser_.get().body();
    body.data = buffer;
    body.size = size;
    while (!parser_.is_done()) {
      boost::system::error_code ec;
      std::visit(
          [&](auto& s) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
              bhttp::read_some(s, buffer_, parser_, ec);
          },
          stream_);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) fail(ec);
      const std::size_t got = size - body.size;
      if (got > 0) return got;
    }
    return size - body.size;
  }

 private:
  struct Abort {
    BeastResponse* self;
    void operator()() const noexcept { self->abort(); }
  };

  Endpoint endpoint_;
  std::stop_token stop_;
  asio::io_context io_;
  std::optional<asio::ssl::context> ssl_;
  std::variant<std::monostate, local_socket, tcp_socket, tls_stream> stream_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::buffer_body> parser_;
  std::optional<std::stop_callback<Abort>> on_stop_;  // last: gone before the socket
};

class UpgradedConnection final : public Upgraded {
 public:
  explicit UpgradedConnection(std::unique_ptr<BeastResponse> connection) : connection_(std::move(connection)) {}
  std::size_t read(void* buffer, std::size_t size) override { return connection_->read_raw(buffer, size); }
  void write(const std::string& bytes) override { connection_->write_raw(bytes); }
  void close_write() override { connection_->close_write(); }
  void abort() noexcept override { connection_->abort(); }

 private:
  std::unique_ptr<BeastResponse> connection_;
};

}  // namespace

std::unique_ptr<Upgraded> upgrade(const Endpoint& endpoint, Request request, const std::string& what) {
  request.headers.emplace_back("Upgrade", "tcp");
  auto response = std::make_unique<BeastResponse>(endpoint, current_request_stop());
  response->connect();
  response->exchange(request);
  if (response->status() != 101) check(*response, what);
  return std::make_unique<UpgradedConnection>(std::move(response));
}

std::string Response::read_all(std::size_t limit) {
  std::string out;
  char chunk[64 * 1024];
  while (const std::size_t n = read(chunk, sizeof chunk)) {
    if (out.size() + n > limit)
      throw Error(ErrorCategory::daemon_api, "The Docker daemon's answer is larger than " +
                                                 std::to_string(limit >> 20) + " MB; gsc refuses to buffer it.");
    out.append(chunk, n);
  }
  return out;
}

std::unique_ptr<Response> send(const Endpoint& endpoint, const Request& request) {
  auto response = std::make_unique<BeastResponse>(endpoint, current_request_stop());
  response->connect();
  response->exchange(request);
  return response;
}

ErrorCategory category_for_status(int status) {
  if (status == 404) return ErrorCategory::not_found;
  if (status == 409) return ErrorCategory::conflict;
  return ErrorCategory::daemon_api;
}

std::string error_message(const std::string& body) {
  std::string message = body;
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string())
    message = json["message"].get<std::string>();
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  for (auto& c : message)
    if (c == '\n') c = ' ';
  return message;
}

void check(Response& response, const std::string& what) {
  const int status = response.status();
  if (status >= 200 && status < 300) return;
  std::string body;
  try {
    body = response.read_all(1 << 20);
  } catch (const Error&) {
    body = "(unreadable error body)";
  }
  std::string hint;
  if (status == 400 && body.find("HTTP request to an HTTPS server") != std::string::npos)
    hint = " Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for this daemon.";
  throw ApiError(category_for_status(status), status,
                 "Error response from daemon while trying to " + what + ": " + error_message(body) + hint);
}

namespace {

std::string percent_encode(const std::string& value, const char* keep) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || std::strchr("-_.~", c) || (c && std::strchr(keep, c))) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string url_encode(const std::string& value) { return percent_encode(value, ""); }

std::string path_encode(const std::string& reference) { return percent_encode(reference, "/:@"); }

std::string query(const std::multimap<std::string, std::string>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
  return out;
}

}  // namespace gsc::docker::http
