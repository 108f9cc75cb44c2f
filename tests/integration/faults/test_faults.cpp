// Faults (#17 items 10, 11, 12, 14). Hostile streams: a proxy in front of the real daemon answers with
// what no daemon sends. gsc fails in one line, with its memory bounded (ulimit -v), never
// with an internal error or an exhausted allocator.

#include <catch2/catch.hpp>

#include "integration/faults/fault_proxy.hpp"
#include "integration/support.hpp"

using namespace gsc_test;

namespace {

// Enough address space for gsc, far less than buffering the faults below would take. Not under
// ASan, whose shadow memory is address space too (the release leg holds the bound).
#if defined(__SANITIZE_ADDRESS__)
constexpr const char* kMemoryLimit = "";
#else
constexpr const char* kMemoryLimit = "ulimit -v 800000; ";
#endif

bool is_build(const ProxiedRequest& r) { return r.method == "POST" && r.target.find("/build") != std::string::npos; }

const std::string kStreamHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";

// gsc build of a fresh app image through the proxy, under the memory limit.
struct ProxiedBuild {
  TempDir dir;
  std::string app = unique_name("gsc-test-app/streams");
  ImageGuard guard;
  std::string config;

  ProxiedBuild() {
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
    write_file(dir / "app.manifest", "");
    config = write_config(dir);
  }

  Run run(const FaultProxy::Answer& answer) {
    FaultProxy proxy(dir / "docker.sock", answer);
    return sh(std::string(kMemoryLimit) + "DOCKER_HOST=" + sh_quote(proxy.docker_host()) + " " +
              sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")) + " build -c " + sh_quote(config) + " " + sh_quote(app) +
              " " + sh_quote(dir / "app.manifest"));
  }
};

// The last line of stderr (gsc's error).
std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

TEST_CASE("a 300 MB build output line without a newline is refused at 1 MiB", "[streams][memory]") {
  ProxiedBuild b;
  const Run r = b.run([](const ProxiedRequest& req, int fd) {
    if (!is_build(req)) return false;
    if (!FaultProxy::send_all(fd, kStreamHead)) return true;
    const std::string object = "{\"stream\":\"" + std::string(32 * 1024, 'A') + "\"}\r\n";
    for (int i = 0; i < 300 * 32; ++i)  // 300 MB, as a daemon would send a step's output
      if (!FaultProxy::send_all(fd, object)) break;
    return true;
  });
  INFO(r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0));
  CHECK(r.status == 4);
  CHECK(last_line(r.err).find("printed a line of more than 1 MiB without a newline") != std::string::npos);
}

TEST_CASE("a 200 MB message in the build stream is refused at 1 MiB", "[streams][memory]") {
  ProxiedBuild b;
  const Run r = b.run([](const ProxiedRequest& req, int fd) {
    if (!is_build(req)) return false;
    if (!FaultProxy::send_all(fd, kStreamHead + "{\"stream\":\"")) return true;
    const std::string chunk(1 << 20, 'B');
    for (int i = 0; i < 200; ++i)
      if (!FaultProxy::send_all(fd, chunk)) return true;
    FaultProxy::send_all(fd, "\"}\r\n");
    return true;
  });
  INFO(r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0));
  CHECK(r.status == 3);
  CHECK(last_line(r.err).find("passes 1 MiB, more than a Docker daemon sends") != std::string::npos);
}

TEST_CASE("a build stream with wrongly typed fields is a daemon error naming the field", "[streams][types]") {
  ProxiedBuild b;
  const Run r = b.run([](const ProxiedRequest& req, int fd) {
    if (!is_build(req)) return false;
    FaultProxy::send_all(fd, kStreamHead + "{\"stream\":\"Step 1/1 : FROM x\\n\"}\r\n{\"errorDetail\":{\"message\":5},\"error\":5}\r\n");
    return true;
  });
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(last_line(r.err).find("`errorDetail.message` as a number, not a string") != std::string::npos);
}

TEST_CASE("an image inspect with wrongly typed fields is a daemon error naming the field", "[streams][types]") {
  TempDir dir;
  for (const auto& [from, to, field] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"\"Size\":", "\"Size\":\"1\",\"_Size\":", "`Size` as a string, not an integer"},
           {"\"Env\":", "\"Env\":[1],\"_Env\":", "`Config.Env[]` as a number, not a string"},
           {"\"Id\":", "\"Id\":{},\"_Id\":", "`Id` as an object, not a string"}}) {
    FaultProxy proxy(dir / "docker.sock", {}, [&](const ProxiedRequest& req, std::string body) {
      if (req.target.find("/images/") == std::string::npos || req.target.find("/json") == std::string::npos) return body;
      // The last Env is Config's (older APIs also list ContainerConfig's first).
      const auto at = from == "\"Env\":" ? body.rfind(from) : body.find(from);
      if (at != std::string::npos) body.replace(at, from.size(), to);
      return body;
    });
    const Run r = sh("DOCKER_HOST=" + sh_quote(proxy.docker_host()) + " " + sh_quote(env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")) +
                     " info-image gsc-test/debian:12");
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(last_line(r.err).find(field) != std::string::npos);
    CHECK(last_line(r.err).find("inspect image `gsc-test/debian:12`") != std::string::npos);
  }
}

// --- Full disks (#17 item 10): every host write is checked to the end, close included.

namespace {

// A tmpfs of 64 KiB mounted in a TempDir (tests run as root), unmounted at scope exit.
struct TinyTmpfs {
  TempDir dir;
  std::string mount = dir / "mnt";
  bool mounted = false;
  TinyTmpfs() {
    std::filesystem::create_directories(mount);
    mounted = sh("mount -t tmpfs -o size=64k tmpfs " + sh_quote(mount)).status == 0;
  }
  ~TinyTmpfs() {
    if (mounted) sh("umount " + sh_quote(mount));
  }
  // Fills it but for `free_bytes` (rounded to tmpfs pages).
  void fill(std::size_t free_bytes) {
    sh("dd if=/dev/zero of=" + sh_quote(mount + "/fill") + " bs=4096 count=" + std::to_string((65536 - free_bytes) / 4096));
  }
};

}  // namespace

TEST_CASE("build-gramine -f onto a full tmpfs fails naming the file, not an empty context", "[faults][disk]") {
  TinyTmpfs tmpfs;
  REQUIRE(tmpfs.mounted);  // mounting needs root, which the test machines have
  // A local repository travels in the context: the Dockerfile, then many small files (git's).
  const std::string repo = make_gramine_repo(tmpfs.dir);
  const std::string config = write_compile_config(tmpfs.dir, repo, "gsc-test");
  // Room for the Dockerfile only: the small files after it meet a full disk, which a buffered
  // write reports only when the file is closed.
  tmpfs.fill(4096);
  const Run r = gsc({"build-gramine", "-c", config, "-f", "--output-dir", tmpfs.mount + "/out", "gsc-test-gramine/never"});
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(last_line(r.err).find("Cannot write `" + tmpfs.mount + "/out/") != std::string::npos);
  CHECK(last_line(r.err).find("No space left on device: the disk is full.") != std::string::npos);
}

TEST_CASE("export of the signing data (--export-signing-data) to a full device or filesystem fails loudly", "[faults][disk]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/faults");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(dir / "key.pem") + " 3072 && openssl rsa -in " +
             sh_quote(dir / "key.pem") + " -pubout -out " + sh_quote(dir / "pub.pem")).status == 0);

  const Run full = gsc({"sign-image", "-c", config, "--export-signing-data", "/dev/full", app, dir / "pub.pem"});
  INFO(full.err);
  CHECK(full.status == 1);
  CHECK(last_line(full.err).find("Cannot write `/dev/full`: No space left on device: the disk is full.") != std::string::npos);

  TinyTmpfs tmpfs;
  REQUIRE(tmpfs.mounted);
  tmpfs.fill(0);
  const Run fs = gsc({"sign-image", "-c", config, "--export-signing-data", tmpfs.mount + "/data.bin", app, dir / "pub.pem"});
  INFO(fs.err);
  CHECK(fs.status == 1);
  CHECK(last_line(fs.err).find("the disk is full") != std::string::npos);
}
