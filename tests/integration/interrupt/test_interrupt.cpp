// Ctrl-C: gsc removes what the run created (containers, images, intermediate images) and
// exits 130, whether it was building the stage, hashing or measuring. A second Ctrl-C ends gsc
// at once (`gsc prune` then removes what it left); a closed output pipe stops gsc as Ctrl-C does.

#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "integration/support.hpp"

using namespace gsc_test;

namespace {

// The daemon is shared with other runs: what a test checks is what descends from its own app
// image, and the containers of its own gsc process (gsc.owner=PID@HOST).
std::set<std::string> descendants(const std::string& image) {
  const std::string root = sh("docker image inspect -f '{{.Id}}' " + sh_quote(image)).out.substr(0, 71);
  std::map<std::string, std::string> parent_of;
  std::istringstream in(sh("docker image inspect -f '{{.Id}} {{.Parent}}' $(docker images -aq) 2>/dev/null").out);
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    if (space != std::string::npos) parent_of[line.substr(0, space)] = line.substr(space + 1);
  }
  std::set<std::string> out;
  for (const auto& [id, parent] : parent_of)
    for (std::string at = parent; !at.empty(); at = parent_of.count(at) ? parent_of[at] : std::string())
      if (at == root) {
        out.insert(id);
        break;
      }
  return out;
}

std::string containers_of(pid_t pid) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return sh("docker ps -aq --filter label=gsc.owner=" + std::to_string(pid) + "@" + host).out;
}

// An app image of its own (a unique label: no other test shares its id), removed afterwards,
// with an empty manifest (dir / "app.manifest") and a config.
struct App {
  TempDir dir;
  ImageGuard guard;
  std::string name;
  std::string config;
  explicit App(const std::string& prefix, const std::string& cmd = "[\"/usr/bin/python3\"]")
      : name(unique_name(prefix)) {
    guard.add_app(name);
    docker_build(name, "FROM gsc-test/python3:12\nLABEL gsc.test.unique=\"" + name + "\"\nCMD " + cmd + "\n");
    write_file(dir / "app.manifest", "");
    config = write_config(dir);
  }
};

pid_t last_pid = 0;  // the gsc process interrupt_at_output() ran

// Starts gsc with `args` (stderr to `log`), waits until its stderr holds `text`; its pid.
pid_t start_until_output(const std::vector<std::string>& args, const std::string& log, const std::string& text) {
  const pid_t pid = last_pid = spawn_gsc(args, log);
  wait_until([&] { return slurp(log).find(text) != std::string::npos; }, std::chrono::seconds(120),
             std::chrono::milliseconds(5));
  return pid;
}

// Starts gsc with `args`, waits until its stderr holds `text`, sends `signals` times `signal`
// (`gap` apart); returns gsc's exit status.
int interrupt_at_output(const std::vector<std::string>& args, const std::string& text, int signals = 1,
                        std::chrono::milliseconds gap = std::chrono::milliseconds(0), int signal = SIGINT) {
  TempDir dir;
  const pid_t pid = start_until_output(args, dir / "stderr", text);
  for (int i = 0; i < signals; ++i) {
    if (i > 0) std::this_thread::sleep_for(gap);
    kill(pid, signal);
  }
  return wait_status(pid);
}

}  // namespace

TEST_CASE("Ctrl-C during gsc build and sign-image leaves nothing behind and exits 130", "[interrupt]") {
  const App fx("gsc-test-app/interrupt", "[\"/usr/bin/python3\", \"-c\", \"print(1)\"]");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;

  // While hashing: the export container exists.
  CHECK(interrupt_at_output({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}, "gsc: Hashing") == 130);
  CHECK(containers_of(last_pid).empty());
  CHECK(descendants(app).empty());
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));

  // While measuring.
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const auto built = descendants(app);
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
  CHECK(interrupt_at_output({"sign-image", "-c", config, app, key}, "gsc: Measuring the enclave") == 130);
  CHECK(containers_of(last_pid).empty());
  CHECK(descendants(app) == built);
  CHECK_FALSE(image_exists("gsc-" + app));
}

TEST_CASE("Ctrl-C while Gramine compiles (build-gramine, and gsc build without Gramine.Image) leaves nothing behind",
          "[interrupt][compile]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  const std::string config = write_compile_config(dir, repo, "slow");  // meson setup sleeps
  const std::string gramine = unique_name("gsc-test-gramine/interrupt");
  const std::string app = unique_name("gsc-test-app/interrupt-compile");
  ImageGuard guard({gramine});
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "app.manifest", "");
  const auto before = all_images();
  const std::string containers = sh("docker ps -aq --no-trunc | sort").out;
  // Interrupted while the daemon's builder runs `meson setup` (which sleeps on branch `slow`).
  auto compiling = [] {
    return sh("docker ps --no-trunc --filter status=running --format '{{.Command}}' | grep -q 'meson setup'").status == 0;
  };

  CHECK(interrupt_when({"build-gramine", "-c", config, gramine}, compiling) == 130);
  CHECK(sh("docker ps -aq --no-trunc | sort").out == containers);
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists(gramine));

  CHECK(interrupt_when({"build", "-c", config, app, dir / "app.manifest"}, compiling) == 130);
  CHECK(sh("docker ps -aq --no-trunc | sort").out == containers);
  CHECK(all_images() == before);
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
}

TEST_CASE("Ctrl-C during sign-image's docker build leaves nothing behind", "[interrupt]") {
  const App fx("gsc-test-app/interrupt-sign", "[\"/usr/bin/python3\", \"-c\", \"print(1)\"]");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;
  REQUIRE(gsc({"build", "-c", config, app, dir / "app.manifest"}).status == 0);
  const std::string key = dir / "key.pem";
  REQUIRE(sh("openssl genrsa -3 -out " + sh_quote(key) + " 3072").status == 0);
  const auto built = descendants(app);
  for (int attempt = 0; attempt < 3; ++attempt) {  // the build lasts about a second: land in it several times
    const int status = interrupt_at_output({"sign-image", "-c", config, app, key}, "Adding the signature layer");
    if (status == 0) {  // finished first: undo, try again
      sh("docker rmi gsc-" + app);
      continue;
    }
    CHECK(status == 130);
    CHECK(containers_of(last_pid).empty());
    CHECK(descendants(app) == built);
    CHECK_FALSE(image_exists("gsc-" + app));
  }
}

TEST_CASE("a second Ctrl-C ends gsc at once, and gsc prune then removes what it left", "[interrupt][prune]") {
  const App fx("gsc-test-app/interrupt-twice");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;
  const auto start = std::chrono::steady_clock::now();
  CHECK(interrupt_at_output({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}, "Hashing", 2,
                            std::chrono::milliseconds(1)) == 130);
  std::cout << "interrupt: two Ctrl-C: gsc ended after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
  // The daemon finishes requests the dead process had sent (a container it was creating).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const Run prune = gsc({"prune"});
  INFO(prune.out << prune.err);
  CHECK(prune.status == 0);
  CHECK(containers_of(last_pid).empty());
  CHECK(descendants(app).empty());
}

TEST_CASE("a closed output pipe stops gsc build, which removes what it created and fails instead of dying of "
          "SIGPIPE",
          "[interrupt]") {
  const App fx("gsc-test-app/interrupt-pipe");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;
  const std::string bin = env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc");
  const Run r = sh("bash -c " + sh_quote(sh_quote(bin) + " build --no-cache -c " + sh_quote(config) + " " + app + " " +
                                         sh_quote(dir / "app.manifest") +
                                         " 2>&1 | grep -m1 -q 'Step 1'; exit ${PIPESTATUS[0]}"));
  CHECK(r.status != 141);  // not killed by SIGPIPE
  CHECK(r.status != 0);
  CHECK(descendants(app).empty());
  CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
}

TEST_CASE("gsc killed (-9) during its docker build leaves step images labelled gsc.build, which gsc prune removes",
          "[interrupt][prune]") {
  const App fx("gsc-test-app/interrupt-kill");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;
  // The stage's first steps (gsc.build, then Gramine) are committed once the third is shown.
  CHECK(interrupt_at_output({"build", "--no-cache", "-c", config, app, dir / "app.manifest"}, "COPY gsc/", 1,
                            std::chrono::milliseconds(0), SIGKILL) == 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the daemon ends the build it lost
  const auto left = descendants(app);
  CHECK_FALSE(left.empty());  // unavoidable: nothing runs to remove them
  for (const auto& id : left)
    CHECK(sh("docker image inspect -f '{{index .Config.Labels \"gsc.build\"}}' " + id).out.rfind("stage-", 0) == 0);
  const Run prune = gsc({"prune"});
  INFO(prune.out << prune.err);
  CHECK(prune.status == 0);
  CHECK(prune.out.find("(a build step)") != std::string::npos);
  CHECK(descendants(app).empty());
}

TEST_CASE("gsc prune keeps the step images of a build a live gsc has under way", "[interrupt][prune]") {
  const App fx("gsc-test-app/interrupt-live");
  const std::string &app = fx.name, &config = fx.config;
  const TempDir& dir = fx.dir;
  // Stopped mid-build: the daemon finishes the stage meanwhile, an unnamed image nothing builds
  // on yet, and the stopped gsc has not held it.
  const pid_t pid = start_until_output({"build", "--no-cache", "-c", config, app, dir / "app.manifest"},
                                       dir / "stderr", "COPY gsc/");
  kill(pid, SIGSTOP);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const auto during = descendants(app);
  const Run prune = gsc({"prune"});
  kill(pid, SIGCONT);
  INFO(prune.out << prune.err);
  CHECK(prune.status == 0);
  CHECK_FALSE(during.empty());
  CHECK(descendants(app) == during);  // nothing of the live build went
  const int status = wait_status(pid);
  INFO(slurp(dir / "stderr"));
  CHECK(status == 0);
  CHECK(image_exists("gsc-" + app + "-unsigned"));
}
