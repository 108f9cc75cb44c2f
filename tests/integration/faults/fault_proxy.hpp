#pragma once
// A small proxy in front of the real daemon for stream faults: it listens on a unix socket
// (DOCKER_HOST=unix://PATH for gsc), forwards each request to /var/run/docker.sock and
// passes the answer back, except where its Fault says to answer otherwise. One request per
// connection, as gsc makes them; answers are relayed whole, so keep tests small.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace gsc_test {

struct ProxiedRequest {
  std::string method;
  std::string target;  // "/v1.43/images/x/json"
};

class FaultProxy {
 public:
  // Answers a request itself by writing a whole HTTP response to `fd` (then closed); returns
  // false to let the daemon answer.
  using Answer = std::function<bool(const ProxiedRequest&, int fd)>;
  // Rewrites the daemon's answer body to a request (identity by default).
  using Rewrite = std::function<std::string(const ProxiedRequest&, std::string body)>;

  FaultProxy(std::string socket_path, Answer answer, Rewrite rewrite = {})
      : path_(std::move(socket_path)), answer_(std::move(answer)), rewrite_(std::move(rewrite)) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = address(path_);
    ::unlink(path_.c_str());
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("fault proxy: cannot listen on " + path_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~FaultProxy() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : connections_) t.join();
    ::unlink(path_.c_str());
  }

  std::string docker_host() const { return "unix://" + path_; }

  // Writes all of `bytes`; false when the client went away.
  static bool send_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

 private:
  static sockaddr_un address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    return addr;
  }

  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] {
        try {
          serve(fd);
        } catch (...) {
        }
        ::close(fd);
      });
    }
  }

  static bool read_some(int fd, std::string& into) {
    char buf[64 * 1024];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    into.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  void serve(int client) {
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos)
      if (!read_some(client, request)) return;
    const std::size_t head_end = request.find("\r\n\r\n") + 4;
    std::string head = request.substr(0, head_end);
    std::smatch m;
    std::size_t length = 0;
    if (std::regex_search(head, m, std::regex("\r\n[Cc]ontent-[Ll]ength: *([0-9]+)"))) length = std::stoul(m[1]);
    while (request.size() < head_end + length)
      if (!read_some(client, request)) return;
    ProxiedRequest r;
    const std::size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    r.method = head.substr(0, sp1);
    r.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    if (answer_ && answer_(r, client)) return;

    // To the daemon as HTTP/1.0: its answer then ends when it closes, never chunked.
    head.replace(sp2 + 1, 8, "HTTP/1.0");
    head.insert(head.size() - 2, "Connection: close\r\n");
    const int daemon = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = address("/var/run/docker.sock");
    if (daemon < 0 || ::connect(daemon, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (daemon >= 0) ::close(daemon);
      return;
    }
    send_all(daemon, head + request.substr(head_end, length));
    std::string response;
    while (read_some(daemon, response)) {
    }
    ::close(daemon);
    const std::size_t body_at = response.find("\r\n\r\n");
    if (body_at == std::string::npos) return;
    std::string body = response.substr(body_at + 4);
    if (rewrite_) body = rewrite_(r, std::move(body));
    std::string out_head;
    std::size_t at = 0;
    while (at < body_at) {  // the daemon's headers, but length and connection are the proxy's
      const std::size_t end = std::min(response.find("\r\n", at), body_at);
      const std::string line = response.substr(at, end - at);
      const std::string lower = [&] {
        std::string l = line;
        for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return l;
      }();
      if (lower.rfind("content-length:", 0) != 0 && lower.rfind("connection:", 0) != 0 &&
          lower.rfind("transfer-encoding:", 0) != 0)
        out_head += line + "\r\n";
      at = end + 2;
    }
    send_all(client, out_head + "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }

  std::string path_;
  Answer answer_;
  Rewrite rewrite_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

}  // namespace gsc_test
