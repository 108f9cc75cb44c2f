#pragma once
// Registry credentials as the docker CLI keeps them: config.json (`auths`, `credsStore`,
// `credHelpers`), and the headers that carry them to the daemon. Pure parts are separate
// from the part that reads files and runs credential helpers, for tests.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gsc/docker.hpp"

namespace gsc::docker::auth {

// The parts of config.json that say where credentials are.
struct ConfigFile {
  std::map<std::string, RegistryAuth> auths;              // by registry host (normalized)
  std::string creds_store;                                 // "" = none
  std::map<std::string, std::string> cred_helpers;         // registry host -> helper name
};

// Parses config.json text; `name` is used in messages. Malformed JSON or a malformed `auth`
// entry is an input error naming the file.
ConfigFile parse_config_file(const std::string& text, const std::string& name);

// "https://index.docker.io/v1/" -> "docker.io", "http://127.0.0.1:5000/x" -> "127.0.0.1:5000".
std::string normalize_registry(const std::string& server);

// The address the CLI stores a registry under and hands to credential helpers: the Docker
// Hub's is "https://index.docker.io/v1/", others are the host[:port].
std::string server_address(const std::string& registry);

// Runs `docker-credential-<helper> get` with `server` on stdin: its stdout, or nullopt when the
// helper says it has no credentials for `server`. Throws an input error when it fails otherwise.
using HelperFn = std::function<std::optional<std::string>(const std::string& helper, const std::string& server)>;

// The credentials for `registry` (a normalized host): credHelpers, then credsStore, then auths,
// in the docker CLI's order. nullopt: none (pull anonymously).
std::optional<RegistryAuth> lookup(const ConfigFile& config, const std::string& registry, const HelperFn& run_helper);

// A credential helper's answer ({"ServerURL","Username","Secret"}); Username `<token>` means
// Secret is an identity token.
RegistryAuth parse_helper_answer(const std::string& json, const std::string& helper, const std::string& registry);

// The X-Registry-Auth header value: base64url of {"username","password","serveraddress"}
// (or {"identitytoken",...}).
std::string registry_auth_header(const RegistryAuth& auth);

// The X-Registry-Config header value: base64url of {server: {...}, ...}.
std::string registry_config_header(const std::vector<RegistryAuth>& auths);

// base64 (standard alphabet) in both directions; decode returns nullopt on malformed input.
std::string base64_encode(const std::string& bytes, bool url_safe = false);
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace gsc::docker::auth
