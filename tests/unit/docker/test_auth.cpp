// Registry credentials as the docker CLI keeps them, and the headers that carry them.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "docker/auth.hpp"
#include "docker/stream.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"

using namespace gsc::docker;

namespace {

nlohmann::json decoded(const std::string& header) {
  CHECK(header.find_first_of("+/") == std::string::npos);  // base64url, as the daemon decodes it
  const auto text = auth::base64_decode(header);
  REQUIRE(text);
  return nlohmann::json::parse(*text);
}

}  // namespace

TEST_CASE("registry_of: docker's reading of a reference", "[auth]") {
  CHECK(registry_of("debian:12") == "docker.io");
  CHECK(registry_of("gsc-test/debian:12") == "docker.io");
  CHECK(registry_of("library/debian") == "docker.io");
  CHECK(registry_of("127.0.0.1:5000/gsc-test/app:1") == "127.0.0.1:5000");
  CHECK(registry_of("registry.example.com/mirror/debian:12") == "registry.example.com");
  CHECK(registry_of("localhost/app") == "localhost");
  CHECK(registry_of("quay.io/centos/centos:stream9") == "quay.io");
  CHECK(registry_of("docker.io/library/debian:12") == "docker.io");
}

TEST_CASE("base64: both alphabets, padding, malformed input", "[auth]") {
  CHECK(auth::base64_encode("user:password") == "dXNlcjpwYXNzd29yZA==");
  CHECK(auth::base64_encode("\xfb\xff", true) == "-_8=");
  CHECK(auth::base64_encode("\xfb\xff") == "+/8=");
  for (const std::string text : {"", "a", "ab", "abc", "abcd", "any carnal pleas"})
    CHECK(auth::base64_decode(auth::base64_encode(text)) == text);
  CHECK(auth::base64_decode("-_8=") == std::string("\xfb\xff"));
  CHECK_FALSE(auth::base64_decode("a$b="));
  CHECK_FALSE(auth::base64_decode("ab=c"));
}

TEST_CASE("config.json: auths by normalized host, credsStore, credHelpers", "[auth]") {
  const auto config = auth::parse_config_file(R"({
    "auths": {
      "127.0.0.1:5000": {"auth": "dXNlcjpwYXNzd29yZA=="},
      "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldDp3aXRoOmNvbG9ucw=="},
      "http://registry.example.com/v2/": {"identitytoken": "tok"},
      "logged-in-elsewhere.example": {}
    },
    "credsStore": "desktop",
    "credHelpers": {"quay.io": "quay", "https://gcr.io": "gcloud"}
  })", "config.json");
  REQUIRE(config.auths.count("127.0.0.1:5000"));
  CHECK(config.auths.at("127.0.0.1:5000").username == "user");
  CHECK(config.auths.at("127.0.0.1:5000").password == "password");
  CHECK(config.auths.at("docker.io").password == "secret:with:colons");  // only the first ':' splits
  CHECK(config.auths.at("registry.example.com").identity_token == "tok");
  CHECK_FALSE(config.auths.count("logged-in-elsewhere.example"));
  CHECK(config.creds_store == "desktop");
  CHECK(config.cred_helpers.at("quay.io") == "quay");
  CHECK(config.cred_helpers.at("gcr.io") == "gcloud");

  CHECK_THROWS_WITH(auth::parse_config_file("{\"auths\":{\"r:1\":{\"auth\":\"bm9jb2xvbg==\"}}}", "/home/u/.docker/config.json"),
                    Catch::Contains("`auths.r:1.auth` in `/home/u/.docker/config.json`") &&
                        Catch::Contains("docker login r:1"));
  CHECK_THROWS_AS(auth::parse_config_file("not json", "config.json"), gsc::Error);
}

TEST_CASE("lookup: credHelpers, then credsStore, then auths, as the docker CLI", "[auth]") {
  auth::ConfigFile config;
  config.auths["127.0.0.1:5000"] = RegistryAuth{"file-user", "file-pass", "", "127.0.0.1:5000"};
  std::vector<std::pair<std::string, std::string>> asked;
  const auth::HelperFn helper = [&](const std::string& name, const std::string& server) -> std::optional<std::string> {
    asked.emplace_back(name, server);
    if (server == "nobody.example") return std::nullopt;  // "credentials not found"
    return R"({"ServerURL":")" + server + R"(","Username":")" + name + R"(-user","Secret":"s3cret"})";
  };

  auto found = auth::lookup(config, "127.0.0.1:5000", helper);
  REQUIRE(found);
  CHECK(found->username == "file-user");
  CHECK(asked.empty());  // no helper configured: the file's entry

  config.creds_store = "pass";
  found = auth::lookup(config, "127.0.0.1:5000", helper);
  REQUIRE(found);
  CHECK(found->username == "pass-user");  // a credsStore wins over the file
  CHECK(asked.back() == std::pair<std::string, std::string>{"pass", "127.0.0.1:5000"});
  CHECK_FALSE(auth::lookup(config, "nobody.example", helper));

  config.cred_helpers["127.0.0.1:5000"] = "special";
  CHECK(auth::lookup(config, "127.0.0.1:5000", helper)->username == "special-user");
  CHECK(auth::lookup(config, "docker.io", helper)->server_address == "https://index.docker.io/v1/");
  CHECK(asked.back().second == "https://index.docker.io/v1/");  // the Hub's address, as the CLI asks

  const auto token = auth::parse_helper_answer(R"({"Username":"<token>","Secret":"refresh"})", "h", "r.example");
  CHECK(token.identity_token == "refresh");
  CHECK(token.username.empty());
}

TEST_CASE("X-Registry-Auth and X-Registry-Config: base64url JSON the daemon decodes", "[auth]") {
  const RegistryAuth basic{"u", "p+/?", "", "127.0.0.1:5000"};
  const auto one = decoded(auth::registry_auth_header(basic));
  CHECK(one == nlohmann::json{{"username", "u"}, {"password", "p+/?"}, {"serveraddress", "127.0.0.1:5000"}});
  const auto token = decoded(auth::registry_auth_header({"", "", "tok", "https://index.docker.io/v1/"}));
  CHECK(token["identitytoken"] == "tok");
  CHECK_FALSE(token.contains("password"));
  const auto all = decoded(auth::registry_config_header({basic, {"hub", "pw", "", "https://index.docker.io/v1/"}}));
  CHECK(all["127.0.0.1:5000"]["username"] == "u");
  CHECK(all["https://index.docker.io/v1/"]["password"] == "pw");
}

TEST_CASE("PullStreamDecoder: state changes reported, byte counts skipped, the error kept", "[stream]") {
  std::vector<std::string> lines;
  PullStreamDecoder decoder([&](const gsc::ProgressEvent& e) { lines.push_back(e.text); });
  const std::string stream =
      "{\"status\":\"Pulling from gsc-test/app\",\"id\":\"1\"}\r\n"
      "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a1b2\"}\r\n"
      "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":10,\"total\":20},\"progress\":\"[=>  ]\",\"id\":\"a1b2\"}\r\n"
      "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a1b2\"}\r\n"
      "{\"status\":\"Digest: sha256:00\"}\r\n";
  for (std::size_t i = 0; i < stream.size(); i += 7) decoder.feed(stream.substr(i, 7));
  CHECK(lines == std::vector<std::string>{"1: Pulling from gsc-test/app", "a1b2: Pulling fs layer",
                                          "a1b2: Pull complete", "Digest: sha256:00"});
  CHECK_FALSE(decoder.error());
  decoder.feed("{\"errorDetail\":{\"message\":\"unauthorized: authentication required\\n\"},\"error\":\"x\"}");
  REQUIRE(decoder.error());
  CHECK(*decoder.error() == "unauthorized: authentication required");
}
