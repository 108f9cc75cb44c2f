// Ctrl-C: gsc removes what the run created (containers, images, intermediate images) and
// exits 130, whether it was building the stage, hashing or measuring.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

std::set<std::string> all_images() {
  std::set<std::string> out;
  std::istringstream in(sh("docker images -aq --no-trunc").out);
  for (std::string id; in >> id;) out.insert(id);
  return out;
}

// Starts gsc with `args`, waits until one of gsc's own temporary containers exists (so the
// interrupt lands mid-work), sends SIGINT, returns gsc's exit status.
int interrupt_when_working(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<std::string> storage{env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty())
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("Ctrl-C during gsc build and sign-image leaves nothing behind and exits 130", "[interrupt]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/interrupt");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/python3:12\nCMD [\"/usr/bin/python3\", \"-c\", \"print(1)\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  const auto before = all_images();

  // While hashing: the export container exists.
  CHECK(interrupt_when_working({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}) == 130);
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));

  // While measuring: the signer container exists.
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const auto built = all_images();
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
  CHECK(interrupt_when_working({"sign-image", "-c", config, app, key}) == 130);
  CHECK(sh("docker ps -aq --filter label=gsc.tool=gsc").out.empty());
  CHECK(all_images() == built);
  CHECK_FALSE(image_exists("gsc-" + app));
}
