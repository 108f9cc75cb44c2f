// Hostile images against gsc build (issue #17): ONBUILD triggers, hard links to anything and
// into excluded paths, content made to exhaust memory or time (run under a memory limit), and
// image configs whose errors are the user's, not gsc's.

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>

#include <map>

#include "gsc/docker.hpp"
#include "image/scan.hpp"
#include "integration/run_support.hpp"
#include "ops/stage_base.hpp"

using namespace gsc_test;

namespace {

// The address space a bounded run of gsc may use. gsc's own build takes ~200 MB here (mostly
// reserved, not touched); an image that made it hold a 1 GiB file or grow without end fails.
constexpr rlim_t kMemoryLimit = 1ull << 30;
constexpr int kTimeLimit = 300;  // seconds before the run is interrupted (it should never come to that)

struct BoundedRun {
  Run run;
  long peak_rss_kib = 0;
};

// Runs the gsc CLI with at most kMemoryLimit of address space (not under ASan, whose shadow
// memory is address space too: there the peak RSS is the bound) and at most kTimeLimit.
BoundedRun gsc_bounded(const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out = dir / "out", err = dir / "err";
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
    const rlimit limit{kMemoryLimit, kMemoryLimit};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(125);
#endif
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0) _exit(126);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<std::string> storage{env_or("GSC_BIN", GSC_TEST_BINARY_DIR "/bin/gsc")};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kTimeLimit);
  bool interrupted = false;
  while (wait4(pid, &status, WNOHANG, &usage) == 0) {
    if (!interrupted && std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGINT);  // gsc removes what it made, then ends
      interrupted = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BoundedRun r;
  r.run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.run.out = slurp(out);
  r.run.err = slurp(err);
  r.peak_rss_kib = usage.ru_maxrss;
  return r;
}

// Progress lines may come first; the error is one line, the last one, and an input error.
void one_line_input_error(const Run& r) {
  INFO(r.err);
  CHECK(r.status == 1);
  const auto at = r.err.find("gsc: error: ");
  REQUIRE(at != std::string::npos);
  CHECK(r.err.find('\n', at) == r.err.size() - 1);
}

// Every image id with its parent.
std::map<std::string, std::string> parents() {
  std::map<std::string, std::string> out;
  std::istringstream in(sh("docker image inspect --format '{{.Id}} {{.Parent}}' $(docker images -aq --no-trunc)").out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent;
    fields >> id >> parent;
    if (!id.empty()) out[id] = parent;
  }
  return out;
}

// The images that descend from one of `roots` (not the roots).
std::set<std::string> descendants(const std::set<std::string>& roots) {
  const auto parent_of = parents();
  std::set<std::string> out;
  for (const auto& [id, parent] : parent_of) {
    std::string up = parent;
    for (int depth = 0; depth < 1000 && !up.empty(); ++depth) {
      if (roots.count(up)) {
        out.insert(id);
        break;
      }
      const auto it = parent_of.find(up);
      up = it == parent_of.end() ? std::string() : it->second;
    }
  }
  return out;
}

std::string image_id(const std::string& name) {
  return line_starting(sh("docker image inspect --format '{{.Id}}' " + sh_quote(name)).out, "sha256:");
}

// The id gsc gives the app image's copy without ONBUILD triggers (the daemon names an image by
// the digest of its config).
std::string trigger_free_id(const std::string& app) {
  auto client = gsc::docker::Client::from_environment();
  const auto config = gsc::ops::config_without_triggers(client.inspect_image_json(app));
  REQUIRE(config);
  return "sha256:" + gsc::image::sha256_hex(config->config);
}

}  // namespace

TEST_CASE("ONBUILD triggers of the app image never run in gsc's build: the result has the app's own config",
          "[hostile][onbuild]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/onbuild");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app,
               "FROM gsc-test/debian:12\n"
               "USER 1000:1000\n"
               "ENV APP_SETTING=1\n"
               "ONBUILD USER root\n"
               "ONBUILD RUN touch /onbuild-ran\n"
               "ONBUILD USER nobody\n"
               "ONBUILD ENV GSC_PAL=Linux\n"
               "CMD [\"/usr/bin/id\", \"-u\"]\n");
  const std::string app_id = image_id(app);
  const std::string base = trigger_free_id(app);
  const std::string config = write_config(dir);
  const std::string image = "gsc-" + app + "-unsigned";

  // A build that fails after the stage leaves nothing behind, the base without triggers included.
  write_file(dir / "missing.manifest", "sgx.trusted_files = [\"file:/no/such/file\"]\n");
  const Run failed = gsc_test::gsc({"build", "-c", config, app, dir / "missing.manifest"});
  one_line_input_error(failed);
  CHECK_THAT(failed.err, Catch::Contains("ONBUILD trigger"));
  CHECK_FALSE(image_exists(base));
  CHECK(descendants({app_id, base}).empty());

  write_file(dir / "app.manifest", "");
  const Run build = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  CHECK_THAT(build.err, Catch::Contains("the app image has 4 ONBUILD trigger(s): gsc builds on " + base.substr(0, 19)));
  CHECK(sh("docker image inspect --format '{{.Config.User}}' " + sh_quote(image)).out == "1000:1000\n");
  const std::string env = sh("docker image inspect --format '{{json .Config.Env}}' " + sh_quote(image)).out;
  // The trigger's ENV GSC_PAL=Linux is not there; gsc's final layer sets the PAL variables empty.
  CHECK_THAT(env, Catch::Contains("APP_SETTING=1") && !Catch::Contains("GSC_PAL=Linux") &&
                      Catch::Contains("\"GSC_PAL=\""));
  CHECK(sh("docker image inspect --format '{{json .Config.OnBuild}}' " + sh_quote(image)).out == "null\n");
  CHECK(sh("docker run --rm --entrypoint /bin/ls " + sh_quote(image) + " /onbuild-ran").status != 0);
  const std::string manifest = manifest_of(image);
  CHECK(has_line(manifest, "loader.uid = 1000"));
  CHECK(trusted_files_of(manifest).count("/onbuild-ran") == 0);
  const Run run = run_direct(image);
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == "1000\n");
  CHECK(image_exists(base));

  // A rebuild finds the same base, so the daemon's build cache and gsc's scan cache still hold.
  const std::string stage = sh("docker image inspect --format '{{.Parent}}' " + sh_quote(image)).out;
  const Run again = gsc_test::gsc({"build", "--rebuild", "-c", config, app, dir / "app.manifest"});
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK_THAT(again.err, Catch::Contains("hashes: the stage image is unchanged since it was scanned (cache)"));
  CHECK(sh("docker image inspect --format '{{.Parent}}' " + sh_quote(image)).out == stage);

  // Removing the result removes the base with it: nothing of gsc's remains.
  sh("docker rmi " + sh_quote(image));
  CHECK_FALSE(image_exists(base));
  CHECK(descendants({app_id}).empty());
}

TEST_CASE("hard links to a fifo, a device or a symlink, and links into excluded paths", "[hostile][links]") {
  TempDir dir;
  const std::string app = unique_name("gsc-test-app/hardlinks");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app,
               "FROM gsc-test/debian:12\n"
               "RUN mkdir /opt/x && cd /opt/x && mkfifo fifo && ln fifo fifo.hard && mknod null c 1 3 && ln null null.hard"
               " && ln -s /usr/bin/echo echo.sym && ln echo.sym echo.hard && ln /etc/shadow shadow.hard"
               " && ln -s /etc/shadow shadow.sym && mkdir -p /var/lib/app && echo secret > /var/lib/app/key"
               " && ln /var/lib/app/key key.hard\n"
               "CMD [\"/usr/bin/echo\", \"hi\"]\n");
  write_file(dir / "app.manifest", "");
  const Run build = gsc_test::gsc({"build", "-c", write_config(dir), app, dir / "app.manifest"});
  INFO(build.err);
  REQUIRE(build.status == 0);
  const std::string image = "gsc-" + app + "-unsigned";
  const std::string manifest = manifest_of(image);
  CHECK(manifest.find("sha256 = \"\"") == std::string::npos);
  const auto trusted = trusted_files_of(manifest);
  CHECK(trusted.at("/opt/x/echo.hard") == trusted.at("/usr/bin/echo"));
  CHECK(trusted.at("/opt/x/echo.sym") == trusted.at("/usr/bin/echo"));
  for (const char* none : {"/opt/x/fifo.hard", "/opt/x/null.hard", "/opt/x/shadow.hard", "/opt/x/shadow.sym",
                           "/opt/x/key.hard", "/opt/x/fifo", "/opt/x/null"}) {
    INFO(none);
    CHECK(trusted.count(none) == 0);
    CHECK(manifest.find(std::string("\"file:") + none + "\"") == std::string::npos);
  }
  const Run run = run_direct(image);
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK(run.out == "hi\n");
}

TEST_CASE("content made to exhaust memory or time: bounded, and one line naming the file where it cannot be built",
          "[hostile][bounded]") {
  TempDir dir;
  write_file(dir / "app.manifest", "");
  ImageGuard guard;
  struct Case {
    const char* name;
    std::string dockerfile;
    std::string error;  // "" when the build succeeds
    std::string distro = "debian:12";
  };
  const std::vector<Case> cases{
      // 54 directories, each with two links to the next: 2^53 paths for the trusted-file walk.
      {"dag",
       "RUN mkdir /dag && cd /dag && for i in $(seq 0 53); do mkdir d$i; done && for i in $(seq 0 52); do "
       "ln -s ../d$((i+1)) d$i/a; ln -s ../d$((i+1)) d$i/b; done && echo x > d53/f\n",
       "symlinks to directories make more paths than gsc walks"},
      // 10 ld.so.conf files including each other: each is read once.
      {"ldloop",
       "RUN for i in 0 1 2 3 4 5 6 7 8 9; do mkdir -p /opt/lib$i; printf 'include /etc/ld.so.conf.d/*.conf\\n"
       "include /etc/ld.so.conf\\n/opt/lib%s\\n' $i > /etc/ld.so.conf.d/loop$i.conf; done\n",
       ""},
      // An include glob of 60 `*` against a long name: no exponential backtracking.
      {"ldglob",
       "RUN echo \"include /etc/ld.so.conf.d/$(printf '*%.0s' $(seq 1 60))b\" >> /etc/ld.so.conf"
       " && touch /etc/ld.so.conf.d/$(printf 'a%.0s' $(seq 1 100))\n",
       ""},
      // A 1 GiB file where gsc reads the image's configuration.
      {"bigconf", "RUN head -c 1073741824 /dev/zero | tr '\\0' '#' > /etc/ld.so.conf.d/big.conf\n",
       "`/etc/ld.so.conf.d/big.conf` in the image has 1073741824 bytes, more than gsc reads"},
      // A 1 GiB os-release, read for `Distro: auto` before anything is built.
      {"bigosrelease", "RUN rm /etc/os-release && head -c 1073741824 /dev/zero | tr '\\0' '#' > /etc/os-release\n",
       "`/etc/os-release` in the image has 1073741824 bytes, more than gsc reads of it (1048576)", "auto"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const std::string app = unique_name(std::string("gsc-test-app/bounded-") + c.name);
      guard.add_app(app);
      docker_build(app, "FROM gsc-test/debian:12\n" + c.dockerfile + "CMD [\"/usr/bin/echo\", \"hi\"]\n");
      const std::string config = write_config(dir, gramine_image(), c.distro);
      const BoundedRun bounded = gsc_bounded({"build", "--no-cache", "-c", config, app, dir / "app.manifest"});
      INFO(bounded.run.err);
      INFO("peak RSS " << bounded.peak_rss_kib << " KiB");
      CHECK(bounded.peak_rss_kib * 1024 < static_cast<long>(kMemoryLimit));
      if (c.error.empty()) {
        CHECK(bounded.run.status == 0);
      } else {
        one_line_input_error(bounded.run);
        CHECK_THAT(bounded.run.err, Catch::Contains(c.error));
        CHECK_FALSE(image_exists("gsc-" + app + "-unsigned"));
      }
      if (std::string(c.name) == "ldloop")
        CHECK_THAT(manifest_of("gsc-" + app + "-unsigned"), Catch::Contains("/opt/lib0:/opt/lib1:") &&
                                                                  Catch::Contains("/opt/lib9"));
    }
  }
}

TEST_CASE("image configs and names that are the user's to fix: input errors (exit 1), never internal ones",
          "[hostile][input]") {
  TempDir dir;
  write_file(dir / "app.manifest", "");
  const std::string config = write_config(dir);
  ImageGuard guard;
  auto build_app = [&](const std::string& tag, const std::string& dockerfile) {
    const std::string app = unique_name("gsc-test-app/" + tag);
    guard.add_app(app);
    docker_build(app, "FROM gsc-test/debian:12\n" + dockerfile);
    return app;
  };
  SECTION("USER beyond Docker's range") {
    for (const std::string user : {"4294967296", "99999999999999999999999"}) {
      const Run r = gsc_test::gsc({"build", "-c", config, build_app("user", "USER " + user + "\nCMD [\"/usr/bin/echo\"]\n"),
                         dir / "app.manifest"});
      one_line_input_error(r);
      CHECK_THAT(r.err, Catch::Contains("USER uid `" + user + "` is no id Docker can run (0 to 2147483647)"));
    }
  }
  SECTION("an entry point past a file") {
    const std::string app = build_app("epdot", "ENTRYPOINT [\"/usr/bin/echo/.\"]\n");
    const Run r = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
    one_line_input_error(r);
    CHECK_THAT(r.err, Catch::Contains("`/usr/bin/echo/.` goes on past `/usr/bin/echo`, which is no directory"));
  }
  SECTION("a name that is not UTF-8 under an excluded path does not matter") {
    const std::string app = build_app("names", "RUN touch \"/var/lib/$(printf 'bad\\377name')\" && mkdir -p "
                                               "\"/var/cache/$(printf '\\377dir')\" && touch \"/var/cache/$(printf "
                                               "'\\377dir')/f\" && touch \"/etc/shadow$(printf '\\377')\"\n"
                                               "CMD [\"/usr/bin/echo\", \"hi\"]\n");
    const Run r = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(run_direct("gsc-" + app + "-unsigned").out == "hi\n");
  }
  SECTION("an overlong UTF-8 name is named in the error, escaped") {
    const std::string app =
        build_app("overlong", "RUN touch \"/opt/$(printf 'over\\300\\257long')\"\nCMD [\"/usr/bin/echo\"]\n");
    const Run r = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
    one_line_input_error(r);
    CHECK_THAT(r.err, Catch::Contains("`/opt/over\\xc0\\xaflong`"));
  }
}
