#include <catch2/catch.hpp>

#include "docker/http.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"

using gsc::docker::Endpoint;
using gsc::docker::parse_endpoint;

TEST_CASE("parse_endpoint: DOCKER_HOST forms", "[endpoint]") {
  CHECK(parse_endpoint("").socket_path == "/var/run/docker.sock");
  CHECK(parse_endpoint("").kind == Endpoint::Kind::unix_socket);
  CHECK(parse_endpoint("unix:///run/user/1000/docker.sock").socket_path == "/run/user/1000/docker.sock");

  const Endpoint tcp = parse_endpoint("tcp://10.1.2.3:2375");
  CHECK(tcp.kind == Endpoint::Kind::tcp);
  CHECK(tcp.host == "10.1.2.3");
  CHECK(tcp.port == 2375);
  CHECK_FALSE(tcp.tls);
  CHECK(tcp.to_string() == "tcp://10.1.2.3:2375");

  CHECK(parse_endpoint("tcp://docker.example").port == 2375);
  const Endpoint tls = parse_endpoint("tcp://docker.example", "1", "/certs");
  CHECK(tls.tls);
  CHECK(tls.tls_verify);
  CHECK(tls.port == 2376);
  CHECK(tls.cert_path == "/certs");
  // As the docker CLI: any non-empty DOCKER_TLS_VERIFY verifies, "0" and "false" included.
  for (const char* value : {"1", "0", "false", "no", "yes"}) {
    INFO(value);
    const Endpoint e = parse_endpoint("tcp://127.0.0.1:2376", value, "/certs");
    CHECK(e.tls);
    CHECK(e.tls_verify);
  }
  const Endpoint unverified = parse_endpoint("tcp://127.0.0.1:2376", "", "/certs", "1");  // DOCKER_TLS alone
  CHECK(unverified.tls);
  CHECK_FALSE(unverified.tls_verify);
  CHECK_FALSE(parse_endpoint("tcp://127.0.0.1:2375", "", "/certs").tls);
  CHECK(parse_endpoint("unix:///run/docker.sock", "1", "/certs").kind == Endpoint::Kind::unix_socket);
  CHECK(parse_endpoint("tcp://[::1]:2380").host == "::1");
  CHECK(parse_endpoint("tcp://[::1]:2380").port == 2380);
  CHECK(parse_endpoint("tcp://h:1/").host == "h");
}

TEST_CASE("parse_endpoint: garbage is an input error that names it and the fix", "[endpoint]") {
  for (const char* bad : {"http://x", "unix://relative", "tcp://", "tcp://h:99999", "tcp://h:port", "tcp://[::1"}) {
    INFO(bad);
    try {
      parse_endpoint(bad);
      FAIL("accepted");
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::input);
      CHECK(std::string(e.what()).find(bad) != std::string::npos);
      CHECK(std::string(e.what()).find("tcp://HOST:PORT") != std::string::npos);
    }
  }
}

TEST_CASE("negotiate_api_version: the lower of daemon and client", "[endpoint]") {
  using gsc::docker::negotiate_api_version;
  CHECK(negotiate_api_version("1.41") == "1.41");
  CHECK(negotiate_api_version("1.47", "1.45") == "1.45");
  CHECK(negotiate_api_version("1.9", "1.41") == "1.9");
  CHECK(negotiate_api_version("1.100", "1.45") == "1.45");
  CHECK(negotiate_api_version("", "1.45") == "1.45");
}

TEST_CASE("error mapping: status to category, daemon message to one line", "[http]") {
  using namespace gsc::docker::http;
  CHECK(category_for_status(404) == gsc::ErrorCategory::not_found);
  CHECK(category_for_status(409) == gsc::ErrorCategory::conflict);
  CHECK(category_for_status(500) == gsc::ErrorCategory::daemon_api);
  CHECK(category_for_status(400) == gsc::ErrorCategory::daemon_api);
  CHECK(error_message("{\"message\":\"No such image: x\"}\n") == "No such image: x");
  CHECK(error_message("plain text\nsecond\n") == "plain text second");
}

TEST_CASE("a daemon that is not there is daemon_unavailable, with the fix", "[http]") {
  gsc::docker::Client client(parse_endpoint("unix:///nonexistent/docker.sock"));
  try {
    client.ping();
    FAIL("connected");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::daemon_unavailable);
    CHECK(std::string(e.what()).find("unix:///nonexistent/docker.sock") != std::string::npos);
    CHECK(std::string(e.what()).find("Is the docker daemon running?") != std::string::npos);
  }
  gsc::docker::Client tcp(parse_endpoint("tcp://127.0.0.1:1"));
  CHECK_THROWS_AS(tcp.version(), gsc::Error);
}

TEST_CASE("url and path encoding", "[http]") {
  using namespace gsc::docker::http;
  CHECK(url_encode("a b/c:d") == "a%20b%2Fc%3Ad");
  CHECK(path_encode("gsc-test/debian:12") == "gsc-test/debian:12");
  CHECK(path_encode("a b?") == "a%20b%3F");
  CHECK(query({{"t", "x:1"}, {"t", "y"}}) == "?t=x%3A1&t=y");
  CHECK(query({}).empty());
}
