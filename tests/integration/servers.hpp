#pragma once
// Servers the integration suites start and stop themselves: a private registry (Debian's
// docker-registry: basic auth, TLS with a test CA the daemon trusts through
// /etc/docker/certs.d) and a TLS proxy that requires client certificates in front of the
// daemon's socket (socat), as a remote daemon. Certificates are made with the openssl CLI.
// Each object removes what it made (processes, directories) when it goes.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/support.hpp"

namespace gsc_test {

// A TCP port nobody listens on right now (the kernel's pick, then released).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("free_port: no port");
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

inline void openssl(const std::string& args) {
  const Run r = sh("openssl " + args);
  if (r.status != 0) throw std::runtime_error("openssl " + args + " failed: " + r.err);
}

// A CA (ca.pem, ca-key.pem) in `dir`.
inline void make_ca(const std::string& dir, const std::string& name = "gsc test CA") {
  std::filesystem::create_directories(dir);
  openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj " + sh_quote("/CN=" + name) + " -keyout " +
          sh_quote(dir + "/ca-key.pem") + " -out " + sh_quote(dir + "/ca.pem"));
}

// A certificate `out_dir`/<cert_name>, key <key_name>, signed by the CA in `ca_dir`: for the
// server at 127.0.0.1, or a client.
enum class CertUse { server, client };
inline void make_cert(const std::string& ca_dir, const std::string& out_dir, const std::string& cert_name,
                      const std::string& key_name, CertUse use) {
  std::filesystem::create_directories(out_dir);
  const std::string key = out_dir + "/" + key_name, cert = out_dir + "/" + cert_name, csr = out_dir + "/req.csr",
                    ext = out_dir + "/ext.cnf";
  write_file(ext, use == CertUse::server ? "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                                         : "extendedKeyUsage=clientAuth\n");
  openssl("req -newkey rsa:2048 -nodes -subj /CN=" + std::string(use == CertUse::server ? "127.0.0.1" : "gsc-client") +
          " -keyout " + sh_quote(key) + " -out " + sh_quote(csr));
  openssl("x509 -req -days 2 -in " + sh_quote(csr) + " -CA " + sh_quote(ca_dir + "/ca.pem") + " -CAkey " +
          sh_quote(ca_dir + "/ca-key.pem") + " -CAcreateserial -extfile " + sh_quote(ext) + " -out " + sh_quote(cert));
  std::filesystem::remove(csr);
  std::filesystem::remove(ext);
}

// A program started in a process group of its own, stopped (the whole group) at scope exit.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      setpgid(0, 0);
      if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
      std::vector<std::string> storage = argv;
      std::vector<char*> args;
      for (auto& s : storage) args.push_back(s.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    setpgid(pid_, pid_);
  }
  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    kill(-pid_, SIGKILL);  // what the group still holds (socat's connection children)
    pid_ = -1;
  }
  bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// A private registry on 127.0.0.1: TLS with a test CA (the daemon trusts it through
// /etc/docker/certs.d/127.0.0.1:PORT/ca.crt), basic auth for `user` (htpasswd, bcrypt), its
// storage in a temporary directory. `docker_config` holds a config.json with these
// credentials, for the docker CLI and for gsc (DOCKER_CONFIG).
class TestRegistry {
 public:
  static constexpr const char* user = "gsc-tester";
  static constexpr const char* password = "s3cret-pw";

  TestRegistry() : port_(free_port()) {
    const std::string tls = dir_ / "tls";
    make_ca(tls);
    make_cert(tls, tls, "server.pem", "server-key.pem", CertUse::server);
    const Run htpasswd = sh("htpasswd -Bbn " + sh_quote(user) + " " + sh_quote(password) + " > " + sh_quote(dir_ / "htpasswd"));
    if (htpasswd.status != 0) throw std::runtime_error("htpasswd failed (apache2-utils installed?): " + htpasswd.err);
    write_file(dir_ / "config.yml",
               "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + dir_ / "storage" +
                   "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) +
                   "\n  tls:\n    certificate: " + tls + "/server.pem\n    key: " + tls +
                   "/server-key.pem\nauth:\n  htpasswd:\n    realm: gsc-test\n    path: " + dir_ / "htpasswd" + "\n");
    certs_d_ = "/etc/docker/certs.d/" + host();
    std::filesystem::create_directories(certs_d_);
    std::filesystem::copy_file(tls + "/ca.pem", certs_d_ + "/ca.crt");
    process_ = std::make_unique<Process>(std::vector<std::string>{"docker-registry", "serve", dir_ / "config.yml"},
                                         dir_ / "registry.log");
    // Up when /v2/ asks for credentials over TLS with the test CA.
    const std::string probe = "curl -s -o /dev/null -w '%{http_code}' --cacert " + sh_quote(tls + "/ca.pem") +
                              " https://" + host() + "/v2/";
    if (!wait_until([&] { return sh(probe).out == "401"; }, std::chrono::seconds(20), std::chrono::milliseconds(100)))
      throw std::runtime_error("docker-registry did not start: " + slurp(dir_ / "registry.log"));
    write_docker_config(config_dir_, user, password);
  }
  ~TestRegistry() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(certs_d_, ec);
    std::filesystem::remove("/etc/docker/certs.d", ec);  // only when empty: it may hold others' CAs
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  // The DOCKER_CONFIG directory with this registry's credentials.
  std::string docker_config() const { return config_dir_.path().string(); }
  std::string env() const { return "DOCKER_CONFIG=" + sh_quote(config_dir_.path().string()) + " "; }

  // A config.json in `dir` with `auths` for this registry.
  void write_docker_config(const TempDir& dir, const std::string& u, const std::string& p) const {
    const Run b64 = sh("printf %s " + sh_quote(u + ":" + p) + " | base64 -w0");
    write_file(dir / "config.json", "{\"auths\":{\"" + host() + "\":{\"auth\":\"" + b64.out + "\"}}}\n");
  }

  // Pushes a local image as HOST/`name` and removes that local tag.
  void push(const std::string& local, const std::string& name) const {
    const std::string remote = host() + "/" + name;
    Run r = sh("docker tag " + sh_quote(local) + " " + sh_quote(remote) + " && " + env() + "docker push -q " +
               sh_quote(remote));
    const Run untag = sh("docker rmi " + sh_quote(remote));
    if (r.status != 0 || untag.status != 0) throw std::runtime_error("push of " + remote + " failed: " + r.err + untag.err);
  }

 private:
  TempDir dir_;
  TempDir config_dir_;
  int port_;
  std::string certs_d_;
  std::unique_ptr<Process> process_;
};

// The daemon behind TLS with client certificates, on 127.0.0.1:PORT: socat in front of its
// unix socket, as a remote daemon. `cert_path` holds ca.pem, cert.pem and key.pem for a
// client; `env()` the DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH that reach it.
class TlsDaemon {
 public:
  TlsDaemon() : port_(free_port()) {
    const std::string ca = dir_ / "ca";
    make_ca(ca);
    make_cert(ca, dir_ / "server", "server.pem", "server-key.pem", CertUse::server);
    make_cert(ca, cert_path(), "cert.pem", "key.pem", CertUse::client);
    std::filesystem::copy_file(ca + "/ca.pem", cert_path() + "/ca.pem");
    const std::string server = dir_ / "server";
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"socat",
                                 "OPENSSL-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork,cert=" +
                                     server + "/server.pem,key=" + server + "/server-key.pem,cafile=" + ca +
                                     "/ca.pem,verify=1",
                                 "UNIX-CONNECT:/var/run/docker.sock"},
        dir_ / "socat.log");
    const std::string probe = "curl -s --cacert " + sh_quote(cert_path() + "/ca.pem") + " --cert " +
                              sh_quote(cert_path() + "/cert.pem") + " --key " + sh_quote(cert_path() + "/key.pem") +
                              " https://127.0.0.1:" + std::to_string(port_) + "/_ping";
    if (!wait_until([&] { return sh(probe).out == "OK"; }, std::chrono::seconds(20), std::chrono::milliseconds(100)))
      throw std::runtime_error("socat did not start: " + slurp(dir_ / "socat.log"));
  }

  int port() const { return port_; }
  std::string cert_path() const { return dir_ / "client"; }
  std::string env() const {
    return "DOCKER_HOST=tcp://127.0.0.1:" + std::to_string(port_) + " DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=" +
           sh_quote(cert_path()) + " ";
  }
  std::string dir(const std::string& name) const { return dir_ / name; }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace gsc_test
