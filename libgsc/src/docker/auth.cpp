// Registry credentials: config.json as the docker CLI writes it, credential helpers, and the
// X-Registry-Auth / X-Registry-Config headers that carry credentials to the daemon.

#include "docker/auth.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "gsc/error.hpp"

extern char** environ;

namespace gsc::docker {
namespace auth {
namespace {

constexpr const char* kHubAddress = "https://index.docker.io/v1/";
constexpr std::size_t kHelperOutputLimit = 1 << 20;

std::string json_string(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string base64_encode(const std::string& bytes, bool url_safe) {
  const char* alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::string normalize_registry(const std::string& server) {
  std::string host = server;
  if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  if (const auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io" || host == "registry.hub.docker.com") return "docker.io";
  return host;
}

std::string server_address(const std::string& registry) { return registry == "docker.io" ? kHubAddress : registry; }

ConfigFile parse_config_file(const std::string& text, const std::string& name) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object())
    throw Error(ErrorCategory::input, "The docker CLI's configuration `" + name +
                                          "` is not a JSON object. Fix it, or log in again with `docker login`.");
  ConfigFile config;
  if (const auto it = json.find("auths"); it != json.end() && it->is_object()) {
    for (const auto& [server, entry] : it->items()) {
      if (!entry.is_object()) continue;
      RegistryAuth a;
      a.server_address = server;
      a.identity_token = json_string(entry, "identitytoken");
      a.username = json_string(entry, "username");
      a.password = json_string(entry, "password");
      if (const std::string encoded = json_string(entry, "auth"); !encoded.empty()) {
        const auto decoded = base64_decode(encoded);
        const auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos)
          throw Error(ErrorCategory::input, "`auths." + server + ".auth` in `" + name +
                                                "` is not base64 of `user:password`. Log in again with `docker login " +
                                                normalize_registry(server) + "`.");
        a.username = decoded->substr(0, colon);
        a.password = decoded->substr(colon + 1);
      }
      if (a.username.empty() && a.password.empty() && a.identity_token.empty()) continue;  // a login kept in a store
      config.auths[normalize_registry(server)] = a;
    }
  }
  config.creds_store = json_string(json, "credsStore");
  if (const auto it = json.find("credHelpers"); it != json.end() && it->is_object())
    for (const auto& [server, helper] : it->items())
      if (helper.is_string() && !helper.get<std::string>().empty())
        config.cred_helpers[normalize_registry(server)] = helper.get<std::string>();
  return config;
}

RegistryAuth parse_helper_answer(const std::string& text, const std::string& helper, const std::string& registry) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object())
    throw Error(ErrorCategory::input, "`docker-credential-" + helper + " get` answered for `" + registry +
                                          "` with something that is not JSON. Check the credential helper.");
  RegistryAuth a;
  a.server_address = server_address(registry);
  const std::string user = json_string(json, "Username");
  const std::string secret = json_string(json, "Secret");
  if (user == "<token>") a.identity_token = secret;
  else {
    a.username = user;
    a.password = secret;
  }
  return a;
}

std::optional<RegistryAuth> lookup(const ConfigFile& config, const std::string& registry, const HelperFn& run_helper) {
  std::string helper = config.creds_store;
  if (const auto it = config.cred_helpers.find(registry); it != config.cred_helpers.end()) helper = it->second;
  if (!helper.empty()) {
    const auto answer = run_helper(helper, server_address(registry));
    if (!answer) return std::nullopt;
    auto a = parse_helper_answer(*answer, helper, registry);
    if (a.username.empty() && a.password.empty() && a.identity_token.empty()) return std::nullopt;
    return a;
  }
  const auto it = config.auths.find(registry);
  if (it == config.auths.end()) return std::nullopt;
  RegistryAuth a = it->second;
  a.server_address = server_address(registry);
  return a;
}

namespace {

nlohmann::json auth_json(const RegistryAuth& a) {
  nlohmann::json j = nlohmann::json::object();
  if (!a.identity_token.empty()) j["identitytoken"] = a.identity_token;
  else {
    j["username"] = a.username;
    j["password"] = a.password;
  }
  j["serveraddress"] = a.server_address;
  return j;
}

}  // namespace

std::string registry_auth_header(const RegistryAuth& a) { return base64_encode(auth_json(a).dump(), true); }

std::string registry_config_header(const std::vector<RegistryAuth>& auths) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& a : auths) j[a.server_address] = auth_json(a);
  return base64_encode(j.dump(), true);
}

namespace {

// Runs `docker-credential-<helper> get`, `server` on its stdin; stdout and exit status.
std::pair<int, std::string> run_credential_helper(const std::string& helper, const std::string& server) {
  const std::string program = "docker-credential-" + helper;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw Error(ErrorCategory::internal, "pipe failed: " + std::string(std::strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    throw Error(ErrorCategory::internal, "pipe failed: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  // The child gets the signals gsc blocks in its threads back (a Ctrl-C reaches it too).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>("get"), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in[0]);
  close(out[1]);
  if (spawned != 0) {
    close(in[1]);
    close(out[0]);
    throw Error(ErrorCategory::input, "The docker CLI's configuration names the credential helper `" + helper +
                                          "`, but `" + program + "` cannot be run (" + std::strerror(spawned) +
                                          "). Install it, or remove it from config.json.");
  }
  const std::string request = server + "\n";
  // A helper that exits without reading stdin must not kill gsc with SIGPIPE: blocked in this
  // thread for the write, and a pending one consumed.
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  if (write(in[1], request.data(), request.size()) < 0 && errno == EPIPE) {
    const timespec now{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  close(in[1]);
  std::string output;
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(out[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() < kHelperOutputLimit) output.append(chunk, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return text;
}

std::optional<std::string> helper_get(const std::string& helper, const std::string& server) {
  const auto [status, output] = run_credential_helper(helper, server);
  if (status == 0) return output;
  // The helpers' protocol: "credentials not found in native keychain" means no login for it.
  if (output.find("credentials not found") != std::string::npos) return std::nullopt;
  throw Error(ErrorCategory::input, "`docker-credential-" + helper + " get` failed for `" + server + "` (exit " +
                                        std::to_string(status) + "): " + trimmed(output).substr(0, 200) +
                                        ". Log in again with `docker login`, or fix the credential helper.");
}

std::string config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) return std::string(dir) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.docker/config.json";
}

}  // namespace
}  // namespace auth

std::string registry_of(const std::string& reference) {
  const auto slash = reference.find('/');
  if (slash == std::string::npos) return "docker.io";
  const std::string first = reference.substr(0, slash);
  if (first.find_first_of(".:") == std::string::npos && first != "localhost") return "docker.io";
  return auth::normalize_registry(first);
}

CredentialsFn docker_config_credentials() {
  return [](const std::string& registry) -> std::optional<RegistryAuth> {
    const std::string path = auth::config_path();
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;  // never logged in: anonymous, as the CLI
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return auth::lookup(auth::parse_config_file(text, path), registry, auth::helper_get);
  };
}

}  // namespace gsc::docker
