// Remote daemons: gsc against a daemon on TCP with TLS and client certificates
// (DOCKER_HOST=tcp://127.0.0.1:PORT, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), as a pipeline uses a
// pool of build daemons. The test's daemon is the shared one behind a TLS proxy (socat) that
// requires a client certificate of a test CA; no second dockerd (its bridge would fight the
// first's).

#include <catch2/catch.hpp>

#include <regex>

#include "integration/servers.hpp"
#include "integration/support.hpp"

using namespace gsc_test;

TEST_CASE("build, sign-image, info-image and diff-image against a daemon on TCP with TLS and client certificates",
          "[remote]") {
  TlsDaemon daemon;
  TempDir dir;
  ImageGuard guard;
  const std::string app = unique_name("gsc-test-app/remote");
  guard.add_app(app);
  guard.add_app(app + "-b");
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/echo\", \"remote hello\"]\n");
  docker_build(app + "-b", "FROM gsc-test/debian:12\nRUN echo b > /opt/b\nCMD [\"/bin/echo\", \"remote hello\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(dir / "key.pem") + " 3072").status == 0);

  const Run version = gsc_with(daemon.env(), {"version"});
  INFO(version.err);
  REQUIRE(version.status == 0);
  CHECK(version.out.find("Docker daemon ") != std::string::npos);
  for (const std::string& image : {app, app + "-b"}) {
    const Run built = gsc_with(daemon.env(), {"build", "-c", config, image, dir / "app.manifest"});
    INFO(built.err);
    REQUIRE(built.status == 0);
    const Run signed_run = gsc_with(daemon.env(), {"sign-image", "-c", config, "--date", "2026-07-08", image, dir / "key.pem"});
    INFO(signed_run.err);
    REQUIRE(signed_run.status == 0);
  }
  const Run info = gsc_with(daemon.env(), {"info-image", "gsc-" + app});
  INFO(info.err);
  REQUIRE(info.status == 0);
  CHECK(std::regex_search(info.out, std::regex("mr_enclave = \"[0-9a-f]{64}\"")));
  CHECK(info.out == gsc({"info-image", "gsc-" + app}).out);  // the same daemon, over its socket
  const Run diff = gsc_with(daemon.env(), {"diff-image", "gsc-" + app, "gsc-" + app + "-b"});
  INFO(diff.err);
  CHECK(diff.status == 1);
  CHECK(diff.out.find("/opt/b") != std::string::npos);
  const Run ran = sh("docker run --rm --security-opt seccomp=unconfined -e GRAMINE_MODE=direct " + sh_quote("gsc-" + app));
  CHECK(ran.out == "remote hello\n");
}

TEST_CASE("remote daemon failures are one line each: wrong CA, no client certificate, plain HTTP, nobody listening",
          "[remote][errors]") {
  TlsDaemon daemon;
  const std::string tcp = "DOCKER_HOST=tcp://127.0.0.1:" + std::to_string(daemon.port()) + " ";

  SECTION("a CA that did not sign the daemon's certificate") {
    const std::string other = daemon.dir("other");
    make_ca(other, "another CA");
    for (const char* file : {"cert.pem", "key.pem"})
      std::filesystem::copy_file(daemon.cert_path() + "/" + file, other + "/" + file);
    // Any non-empty DOCKER_TLS_VERIFY verifies, as the docker CLI: "0" and "false" too.
    for (const std::string verify : {"1", "0", "false"}) {
      INFO(verify);
      const Run r = gsc_with(tcp + "DOCKER_TLS_VERIFY=" + verify + " DOCKER_CERT_PATH=" + sh_quote(other) + " ",
                             {"info-image", "gsc-test/debian:12"});
      expect_one_line_error(r, 3);
      CHECK(r.err.find("TLS handshake with the Docker daemon at tcp://127.0.0.1:" + std::to_string(daemon.port()) +
                       " failed: certificate verify failed") != std::string::npos);
      CHECK(r.err.find("set DOCKER_CERT_PATH to the folder with the daemon's CA") != std::string::npos);
    }
  }
  SECTION("no client certificate") {
    const std::string only_ca = daemon.dir("only-ca");
    std::filesystem::create_directories(only_ca);
    std::filesystem::copy_file(daemon.cert_path() + "/ca.pem", only_ca + "/ca.pem");
    const Run r = gsc_with(tcp + "DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=" + sh_quote(only_ca) + " ", {"version"});
    expect_one_line_error(r, 3);
    CHECK(r.err.find("tcp://127.0.0.1:" + std::to_string(daemon.port())) != std::string::npos);
  }
  SECTION("plain HTTP against the TLS port") {
    const Run r = gsc_with(tcp + "DOCKER_TLS_VERIFY= ", {"version"});
    expect_one_line_error(r, 3);
    CHECK(r.err.find("tcp://127.0.0.1:" + std::to_string(daemon.port())) != std::string::npos);
    CHECK(r.err.find("set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH") != std::string::npos);
  }
  SECTION("a port nobody listens on") {
    const int closed = free_port();
    const Run r = gsc_with("DOCKER_HOST=tcp://127.0.0.1:" + std::to_string(closed) + " DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=" +
                               sh_quote(daemon.cert_path()) + " ",
                           {"build", "-c", "/nonexistent.yaml", "gsc-test/debian:12", "/nonexistent.manifest"});
    expect_one_line_error(r, 3);
    CHECK(r.err.find("Cannot connect to the Docker daemon at tcp://127.0.0.1:" + std::to_string(closed) +
                     " (Connection refused). Is a daemon listening there? Check DOCKER_HOST.") != std::string::npos);
  }
}
