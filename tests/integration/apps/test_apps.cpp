// Real applications from Debian's packages (tests/fixtures/apps, made by make-test-images.sh),
// each graminized with the manifest a user writes first (enclave size, thread count). The
// stand-in leg checks the manifests gsc generates; the real-Gramine leg also runs every app
// under gramine-direct, whose LibOS enforces trusted and allowed files as SGX would. Servers
// listen on 127.0.0.1 inside their container; clients run there through `docker exec`; every
// wait is bounded.

#include <catch2/catch.hpp>

#include "integration/run_support.hpp"

using namespace gsc_test;

namespace {

const std::string kFirstTry = "sgx.enclave_size = \"1G\"\nsgx.max_threads = 16\n";

// One workload image graminized under a name of this run (gsc-IMAGE-unsigned is unique too).
struct App {
  std::string name;      // unique tag of gsc-test/app-<app>:1
  std::string image;     // gsc-<name>-unsigned
  std::string manifest;  // its entrypoint.manifest
  Run build;
};

bool have_image(const std::string& app) {
  if (image_exists("gsc-test/app-" + app + ":1")) return true;
  WARN("gsc-test/app-" + app + ":1 is missing (scripts/make-test-images.sh makes it): skipped");
  return false;
}

App graminize(ImageGuard& guard, const TempDir& dir, const std::string& source, const std::string& manifest_text,
              const std::vector<std::string>& extra = {}) {
  App app;
  app.name = unique_name("gsc-test-app/" + source.substr(source.find('/') + 1, source.find(':') - source.find('/') - 1));
  guard.add_app(app.name);
  docker_build(app.name, "FROM " + source + "\n");  // an image of its own: the other leg may run beside it
  const std::string manifest = dir / (app.name.substr(app.name.rfind('/') + 1) + ".manifest");
  write_file(manifest, manifest_text);
  std::vector<std::string> args{"build", "-c", write_config(dir)};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(app.name);
  args.push_back(manifest);
  app.build = gsc(args);
  INFO(app.build.err);
  REQUIRE(app.build.status == 0);
  app.image = "gsc-" + app.name + "-unsigned";
  app.manifest = manifest_of(app.image);
  return app;
}

// What every first-try manifest gets: the user's values, docker stop, the names files.
void check_common(const App& app) {
  INFO(app.manifest.substr(0, 4000));
  CHECK(has_line(app.manifest, "sgx.enclave_size = \"1G\""));  // the user's, whatever the runtime
  CHECK(has_line(app.manifest, "sys.enable_sigterm_injection = true"));
  CHECK(has_line(app.manifest, "sys.enable_extra_runtime_domain_names_conf = true"));
  CHECK(app.manifest.find("{ uri = \"file:/gramine/app_files/hosts\", path = \"/etc/hosts\" }") != std::string::npos);
  CHECK(app.manifest.find("{ path = \"/tmp\", type = \"tmpfs\" }") != std::string::npos);
  const auto trusted = trusted_files_of(app.manifest);
  CHECK(trusted.count("/gramine/app_files/hosts") == 1);
  CHECK(trusted.count("/etc/hosts") == 0);
  CHECK(app.build.out.find("(" + std::to_string(trusted.size()) + " trusted files)") != std::string::npos);
}

// Runs the app to its end under real Gramine's direct PAL (the real leg only).
Run run_app(const App& app, const std::vector<std::string>& args = {}, const std::string& docker_args = "") {
  const Run r = run_direct(app.image, args, docker_args);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("Disallowing") == std::string::npos);  // no file the app needed was refused
  return r;
}

}  // namespace

TEST_CASE("shell script entry point: arguments, a child process, /tmp", "[apps]") {
  if (!have_image("shell")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-shell:1", kFirstTry);
  check_common(app);
  CHECK(has_line(app.manifest, "libos.entrypoint = \"/usr/local/bin/run.sh\""));
  CHECK_THAT(app.build.err, Catch::Contains("entry point: a script run by /bin/sh"));
  if (!real_gramine()) return;
  CHECK(run_app(app).out == "args: [first] [second arg]\ntmp: scratch\nchild: Linux\n");
}

TEST_CASE("python3 with numpy", "[apps]") {
  if (!have_image("python")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-python:1", kFirstTry);
  check_common(app);
  CHECK(has_line(app.manifest, "libos.entrypoint = \"/usr/bin/python3.11\""));
  CHECK_THAT(app.build.err, Catch::Contains("runtime: Python") &&
                                Catch::Contains("manifest: loader.env.PYTHONDONTWRITEBYTECODE = \"1\""));
  CHECK(has_line(app.manifest, "sys.stack.size = \"2M\""));
  CHECK(has_line(app.manifest, "sgx.max_threads = 16"));  // the user's, kept
  CHECK(has_line(app.manifest, "loader.log_level = \"warning\""));
  if (!real_gramine()) return;
  CHECK(run_app(app).out == "numpy: 3920\n");
}

TEST_CASE("Java: the JVM finds its libraries through the real entry point", "[apps]") {
  if (!have_image("java")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-java:1", kFirstTry);
  check_common(app);
  CHECK(has_line(app.manifest, "libos.entrypoint = \"/usr/lib/jvm/java-17-openjdk-amd64/bin/java\""));
  CHECK_THAT(app.build.err,
             Catch::Contains("entry point: /usr/bin/java -> /etc/alternatives/java -> "
                             "/usr/lib/jvm/java-17-openjdk-amd64/bin/java") &&
                 Catch::Contains("runtime: JVM") && Catch::Contains("manifest: sgx.use_exinfo = true") &&
                 Catch::Contains("warning: `sgx.max_threads = 16` (your manifest) is below the 64"));
  for (const char* line : {"sgx.use_exinfo = true", "libos.check_invalid_pointers = false", "sys.stack.size = \"2M\"",
                           "loader.log_level = \"error\"", "sgx.max_threads = 16"}) {
    INFO(line);
    CHECK(has_line(app.manifest, line));
  }
  CHECK(has_line(app.manifest, "loader.argv = [\"java\", \"-cp\", \"/app\", \"Hello\"]"));
  if (!real_gramine()) return;
  const Run run = run_app(app);
  // The JVM may also say its perf-data file cannot be locked (Gramine turns flock off).
  CHECK_THAT(run.out, Catch::EndsWith("java: sum 10000\njava: localhost 127.0.0.1\n"));
}

TEST_CASE("Node.js: an HTTP server and a client on 127.0.0.1", "[apps]") {
  if (!have_image("node")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-node:1", kFirstTry);
  check_common(app);
  CHECK_THAT(app.build.err, Catch::Contains("runtime: Node.js"));
  CHECK(has_line(app.manifest, "sys.stack.size = \"2M\""));
  if (!real_gramine()) return;
  CHECK(run_app(app).out == "node: hello /x\n");
}

TEST_CASE("sqlite3 with its database in /tmp", "[apps]") {
  if (!have_image("sqlite")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-sqlite:1", kFirstTry);
  check_common(app);
  if (!real_gramine()) return;
  CHECK(run_app(app).out == "sqlite: 42\n");
}

TEST_CASE("redis: PING, SET, GET from a client, then docker stop ends it with SIGTERM", "[apps][server]") {
  if (!have_image("redis")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-redis:1", kFirstTry);
  check_common(app);
  CHECK(app.manifest.find("{ path = \"/var/lib/redis\", type = \"tmpfs\" }") != std::string::npos);
  CHECK_THAT(app.build.err, Catch::Contains("/var/lib/redis: in-enclave tmpfs"));
  CHECK(app.manifest.find("loader.uid = ") != std::string::npos);  // USER redis
  if (!real_gramine()) return;
  ContainerGuard containers;
  const std::string c = containers.add(unique_name("gsc-test-redis"));
  REQUIRE(start_server(c, app.image).status == 0);
  const Run ping = exec_until_ok(c, "redis-cli -h 127.0.0.1 ping | grep -qx PONG");
  INFO(sh("docker logs " + sh_quote(c)).err);
  REQUIRE(ping.status == 0);
  CHECK(sh("docker exec " + c + " redis-cli -h 127.0.0.1 set greeting hello").out == "OK\n");
  CHECK(sh("docker exec " + c + " redis-cli -h 127.0.0.1 get greeting").out == "hello\n");
  const Stopped stopped = stop_container(c);
  WARN("docker stop of redis under Gramine: " << stopped.seconds << " s, exit status " << stopped.exit_code);
  CHECK_FALSE(stopped.oom_or_killed);  // SIGTERM reached redis; docker did not have to kill it
  CHECK(stopped.exit_code == 0);
  CHECK_THAT(sh("docker logs " + sh_quote(c)).out, Catch::Contains("Received SIGTERM"));
}

TEST_CASE("nginx serves /var/www/html, writes its logs, stops on SIGTERM", "[apps][server]") {
  if (!have_image("nginx")) return;
  TempDir dir;
  ImageGuard guard;
  const App app = graminize(guard, dir, "gsc-test/app-nginx:1", kFirstTry);
  check_common(app);
  const auto trusted = trusted_files_of(app.manifest);
  CHECK(trusted.count("/var/www/html/index.html") == 1);  // what the image ships to be read
  CHECK(app.manifest.find("{ path = \"/var/log/nginx\", type = \"tmpfs\" }") != std::string::npos);
  CHECK(app.manifest.find("{ path = \"/run\", type = \"tmpfs\" }") != std::string::npos);  // /run/nginx.pid
  CHECK_THAT(app.build.err, Catch::Contains("/var/www: trusted, read-only (2 files the image ships"));
  if (!real_gramine()) return;
  ContainerGuard containers;
  const std::string c = containers.add(unique_name("gsc-test-nginx"));
  REQUIRE(start_server(c, app.image).status == 0);
  const std::string get =
      "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3";
  const Run page = exec_until_ok(c, "bash -c " + sh_quote(get) + " | grep -q 'from /var/www/html'");
  INFO(sh("docker logs " + sh_quote(c)).err);
  REQUIRE(page.status == 0);
  const Run full = sh("docker exec " + c + " bash -c " + sh_quote(get));
  CHECK_THAT(full.out, Catch::StartsWith("HTTP/1.1 200 OK") && Catch::EndsWith("nginx: hello from /var/www/html\n"));
  const Stopped stopped = stop_container(c);
  WARN("docker stop of nginx under Gramine: " << stopped.seconds << " s, exit status " << stopped.exit_code);
  CHECK_FALSE(stopped.oom_or_killed);
  CHECK(stopped.exit_code == 0);
  CHECK(sh("docker logs " + sh_quote(c)).err.find("Disallowing") == std::string::npos);
}

TEST_CASE("localhost resolves through gsc's trusted /etc/hosts", "[apps]") {
  TempDir dir;
  ImageGuard guard;
  const std::string source = unique_name("gsc-test-app/localhost-src");
  guard.add(source);
  docker_build(source, "FROM gsc-test/python3:12\n"
                       "CMD [\"python3\", \"-c\", \"import socket; print(socket.gethostbyname('localhost')); "
                       "print(sorted({a[4][0] for a in socket.getaddrinfo('localhost', 80)})); "
                       "print(open('/etc/hostname').read().strip())\"]\n");
  const App app = graminize(guard, dir, source, kFirstTry);
  check_common(app);
  CHECK(cat_in(app.image, "/gramine/app_files/hosts").find("127.0.0.1\tlocalhost") != std::string::npos);
  if (!real_gramine()) return;
  CHECK(run_app(app).out == "127.0.0.1\n['127.0.0.1', '::1']\nlocalhost\n");
}

TEST_CASE("a non-root USER writes to its VOLUME with each choice, and is refused with a warning when none is given",
          "[apps][volume]") {
  TempDir dir;
  ImageGuard guard;
  VolumeGuard volumes;
  const std::string source = unique_name("gsc-test-app/volume-src");
  guard.add(source);
  docker_build(source, "FROM gsc-test/debian:12\n"
                       "RUN useradd --uid 1000 app && mkdir /data && chown app /data\n"
                       "VOLUME /data\nUSER app\n"
                       "CMD [\"/bin/sh\", \"-c\", \"echo written-by-$0 > /data/out && read l < /data/out && echo $l\"]\n");
  // Direct mode has no SGX sealing keys: an encrypted place needs a key of the manifest's (tests only).
  const std::string manifest = kFirstTry + "fs.insecure__keys.test = \"00112233445566778899aabbccddeeff\"\n";

  const App none = graminize(guard, dir, source, manifest);
  CHECK_THAT(none.build.err, Catch::Contains("warning: VOLUME /data: the app cannot write there") &&
                                 Catch::Contains("--mount /data=tmpfs|encrypted|allowed"));
  CHECK(none.manifest.find("\"/data\"") == std::string::npos);
  if (real_gramine()) {
    const std::string vol = volumes.add(unique_name("gsc-test-vol"));
    const Run refused = run_direct(none.image, {}, "-v " + vol + ":/data");
    CHECK(refused.status != 0);
    CHECK_THAT(refused.err, Catch::Contains("Disallowing") && Catch::Contains("/data/out"));
  }

  struct Case {
    const char* choice;
    const char* mount_line;   // in the manifest ("" for allowed)
    bool plain_on_host;       // the host volume then holds the text
    bool on_host;             // the host volume holds a file at all
  };
  for (const Case& k : {Case{"tmpfs", "{ path = \"/data\", type = \"tmpfs\" }", false, false},
                        Case{"encrypted:test",
                             "{ uri = \"file:/data\", path = \"/data\", key_name = \"test\", type = \"encrypted\" }",
                             false, true},
                        Case{"allowed", "", true, true}}) {
    {
      INFO("--mount /data=" << k.choice);
      const App app = graminize(guard, dir, source, manifest, {"--mount", std::string("/data=") + k.choice});
      if (*k.mount_line) CHECK(app.manifest.find(k.mount_line) != std::string::npos);
      else CHECK(app.manifest.find("sgx.allowed_files = [\"file:/data\"]") != std::string::npos);
      CHECK_THAT(app.build.err, Catch::Contains("VOLUME /data: ") && Catch::Contains("(--mount)"));
      CHECK(app.build.err.find("warning: VOLUME") == std::string::npos);
      if (!real_gramine()) continue;
      const std::string vol = volumes.add(unique_name("gsc-test-vol"));
      const Run run = run_app(app, {}, "-v " + vol + ":/data");
      CHECK(run.out == "written-by-/bin/sh\n");
      const Run host = sh("docker run --rm -v " + vol + ":/data gsc-test/debian:12 cat /data/out");
      CHECK((host.status == 0) == k.on_host);
      CHECK((host.out.find("written-by") != std::string::npos) == k.plain_on_host);
    }
  }
}

TEST_CASE("a Docker secret at /run/secrets/NAME: not reachable by default, read with --mount /run/secrets=allowed",
          "[apps][secrets]") {
  TempDir dir;
  ImageGuard guard;
  const std::string source = unique_name("gsc-test-app/secret-src");
  guard.add(source);
  docker_build(source, "FROM gsc-test/debian:12\n"
                       "CMD [\"/bin/sh\", \"-c\", \"read s < /run/secrets/token && echo secret=$s\"]\n");
  write_file(dir / "token", "s3cr3t\n");
  const std::string bind = "-v " + sh_quote(dir / "token") + ":/run/secrets/token:ro";

  const App hidden = graminize(guard, dir, source, kFirstTry);
  CHECK_THAT(hidden.build.err, Catch::Contains("/run/secrets: not reachable (Docker secrets)"));
  CHECK(trusted_files_of(hidden.manifest).count("/run/secrets/token") == 0);
  if (real_gramine()) {
    const Run refused = run_direct(hidden.image, {}, bind);
    CHECK(refused.status != 0);
    CHECK(refused.out.find("s3cr3t") == std::string::npos);
  }

  const App allowed = graminize(guard, dir, source, kFirstTry, {"--mount", "/run/secrets=allowed"});
  CHECK(allowed.manifest.find("{ uri = \"file:/run/secrets\", path = \"/run/secrets\" }") != std::string::npos);
  CHECK(allowed.manifest.find("sgx.allowed_files = [\"file:/run/secrets\"]") != std::string::npos);
  // The /run tmpfs comes first, so the secrets mount is not hidden by it.
  CHECK(allowed.manifest.find("{ path = \"/run\", type = \"tmpfs\" }") <
        allowed.manifest.find("{ uri = \"file:/run/secrets\", path = \"/run/secrets\" }"));
  if (!real_gramine()) return;
  CHECK(run_app(allowed, {}, bind).out == "secret=s3cr3t\n");
}
