// libgsc embedded in a program: operations on threads sharing one Client, each stoppable on
// its own, each removing exactly what it created, through the caller's client. Also what gsc
// never removes (a consumer's images, a container named in build output) and `gsc prune`.
// Latencies are printed, never asserted (bench/ measures them: `gsc_bench cancel`).

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <stop_token>
#include <thread>

#include "docker/operation.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "integration/support.hpp"
#include "tar/writer.hpp"

using namespace gsc_test;
namespace docker = gsc::docker;

namespace {

using Clock = std::chrono::steady_clock;

std::string templates() { return env_or("GSC_TEMPLATES_DIR", GSC_TEST_BINARY_DIR "/share/gsc/templates"); }

// An app image of its own (a unique label: no other test shares its id), its id.
std::string make_app(ImageGuard& guard, const std::string& name) {
  guard.add_app(name);
  docker_build(name, "FROM gsc-test/python3:12\nLABEL gsc.test.app=\"" + name +
                         "\"\nCMD [\"/usr/bin/python3\", \"-c\", \"print(1)\"]\n");
  return sh("docker image inspect -f '{{.Id}}' " + sh_quote(name)).out.substr(0, 71);
}

gsc::BuildOptions build_options(const TempDir& dir, const std::string& app) {
  write_file(dir / "app.manifest", "");
  gsc::BuildOptions o;
  o.image = app;
  o.manifest_path = dir / "app.manifest";
  o.config_path = write_config(dir);
  o.templates_dir = templates();
  o.use_cache = gsc::UseCache::no;
  return o;
}

// Images that descend from `root` (itself excluded), by the daemon's parent links.
std::set<std::string> descendants(docker::Client& client, const std::string& root) {
  std::map<std::string, std::string> parent_of;
  for (const auto& image : client.list_images({.all = true})) parent_of[image.id] = image.parent;
  std::set<std::string> out;
  for (const auto& [id, parent] : parent_of) {
    std::string at = parent;
    for (int depth = 0; depth < 1000 && !at.empty(); ++depth) {
      if (at == root) {
        out.insert(id);
        break;
      }
      const auto it = parent_of.find(at);
      at = it == parent_of.end() ? std::string() : it->second;
    }
  }
  return out;
}

// What a consumer's progress callback throws to stop an operation.
struct Thrown : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Containers and gsc-owned/ tags that this process's gsc operations own.
std::size_t owned_leftovers(docker::Client& client) {
  const std::string owner = docker::owner_label_value();
  std::size_t n = client.list_containers({.all = true, .labels = {std::string(docker::kOwnerLabel) + "=" + owner}}).size();
  const std::string prefix = std::string(docker::kOwnedRepository) + "/" + docker::host_slug() + "-" +
                             std::to_string(::getpid()) + ":";
  for (const auto& image : client.list_images({}))
    for (const auto& tag : image.repo_tags) n += tag.rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

TEST_CASE("two builds on two threads share one Client: the one stopped mid-hash is cancelled and leaves "
          "nothing, the other succeeds",
          "[library]") {
  TempDir dir_a, dir_b;
  ImageGuard guard;
  const std::string app_a = unique_name("gsc-test-app/library-a");
  const std::string app_b = unique_name("gsc-test-app/library-b");
  const std::string id_a = make_app(guard, app_a);
  make_app(guard, app_b);
  docker::Client client(docker::endpoint_from_environment());  // shared by both threads

  std::stop_source stop_a;
  std::atomic<long long> requested_ns{0};
  std::optional<gsc::Error> error_a;
  long long returned_ns = 0;
  std::thread a([&] {
    auto progress = [&](const gsc::ProgressEvent& e) {
      if (e.kind == gsc::ProgressEvent::Kind::step && e.text.rfind("Hashing", 0) == 0 && !stop_a.stop_requested()) {
        requested_ns = Clock::now().time_since_epoch().count();
        stop_a.request_stop();  // from the callback, as hashing starts
      }
    };
    try {
      gsc::build(client, build_options(dir_a, app_a), gsc::OperationContext{progress, stop_a.get_token()});
    } catch (const gsc::Error& e) {
      returned_ns = Clock::now().time_since_epoch().count();
      error_a = e;
    }
  });
  std::optional<gsc::BuildResult> result_b;
  std::string error_b;
  std::thread b([&] {
    try {
      result_b = gsc::build(client, build_options(dir_b, app_b));
    } catch (const std::exception& e) {
      error_b = e.what();
    }
  });
  a.join();
  b.join();

  REQUIRE(error_a.has_value());
  CHECK(error_a->category() == gsc::ErrorCategory::cancelled);
  std::cout << "library: cancellation latency mid-hash (request to return, cleanup included): "
            << static_cast<double>(returned_ns - requested_ns) / 1e6 << " ms\n";
  CHECK_FALSE(image_exists("gsc-" + app_a + "-unsigned"));
  CHECK(descendants(client, id_a).empty());  // no stage, no step image of A
  INFO(error_b);
  REQUIRE(result_b.has_value());
  CHECK(image_exists("gsc-" + app_b + "-unsigned"));
  CHECK(owned_leftovers(client) == 0);
}

TEST_CASE("a consumer's own untagged image survives a failed gsc build in the same process, and the failure is "
          "the progress callback's exception",
          "[library]") {
  TempDir dir;
  ImageGuard guard;
  const std::string app = unique_name("gsc-test-app/library-consumer");
  const std::string app_id = make_app(guard, app);
  docker::Client client(docker::endpoint_from_environment());
  // The consumer's image: untagged, FROM the same app image (where gsc's step images start).
  gsc::tar::Writer context;
  context.add_file("Dockerfile", "FROM " + app_id + "\nLABEL consumer=\"" + app + "\"\n");
  const std::string own = client.build({.context = context.finish()}).image_id;
  struct RemoveOwn {
    std::string id;
    ~RemoveOwn() { sh("docker rmi " + id); }
  } remove_own{own};
  REQUIRE(client.inspect_image(own).repo_tags.empty());

  auto progress = [](const gsc::ProgressEvent& e) {
    if (e.kind == gsc::ProgressEvent::Kind::step && e.text.rfind("Hashing", 0) == 0) throw Thrown("consumer stops");
  };
  CHECK_THROWS_AS(gsc::build(client, build_options(dir, app), progress), Thrown);
  CHECK(client.inspect_image(own).id == own);
  CHECK(descendants(client, app_id) == std::set<std::string>{own});
  CHECK(owned_leftovers(client) == 0);
}

TEST_CASE("another client's unnamed images, built while a gsc build runs, survive its failure: FROM the app image, "
          "and FROM the image gsc built before",
          "[library]") {
  TempDir dir;
  ImageGuard guard;
  const std::string app = unique_name("gsc-test-app/library-other");
  const std::string app_id = make_app(guard, app);
  docker::Client client(docker::endpoint_from_environment());
  gsc::BuildOptions o = build_options(dir, app);
  REQUIRE_NOTHROW(gsc::build(client, o));
  const std::string built = client.inspect_image("gsc-" + app + "-unsigned").id;

  // The rebuild finds its stage in the build cache (the same gsc.build value as the image it
  // built before); another process builds meanwhile, after the rebuild's first look at the daemon.
  std::vector<std::string> others;
  struct RemoveOthers {
    std::vector<std::string>& ids;
    ~RemoveOthers() {
      for (const auto& id : ids) sh("docker rmi " + id);
    }
  } remove_others{others};
  auto progress = [&](const gsc::ProgressEvent& e) {
    if (e.kind != gsc::ProgressEvent::Kind::step || e.text.rfind("Hashing", 0) != 0) return;
    for (const std::string& from : {app_id, built}) {
      const Run r = sh("printf 'FROM " + from + "\\nLABEL other=1\\n' | docker build -q -");
      REQUIRE(r.status == 0);
      others.push_back(r.out.substr(0, 71));
    }
    throw Thrown("consumer stops");
  };
  o.use_cache = gsc::UseCache::yes;
  CHECK_THROWS_AS(gsc::build(client, o, progress), Thrown);
  REQUIRE(others.size() == 2);
  for (const auto& id : others) CHECK(client.inspect_image(id).id == id);
  CHECK(client.inspect_image("gsc-" + app + "-unsigned").id == built);
  CHECK(owned_leftovers(client) == 0);
}

TEST_CASE("cleanup goes through the caller's endpoint, not DOCKER_HOST", "[library]") {
  TempDir dir;
  ImageGuard guard;
  const std::string app = unique_name("gsc-test-app/library-endpoint");
  const std::string app_id = make_app(guard, app);
  docker::Client client(docker::endpoint_from_environment());
  const char* saved = std::getenv("DOCKER_HOST");
  const std::string previous = saved ? saved : "";
  ::setenv("DOCKER_HOST", ("unix://" + (dir / "no-daemon.sock")).c_str(), 1);
  struct Restore {
    std::string value;
    bool had;
    ~Restore() {
      if (had) ::setenv("DOCKER_HOST", value.c_str(), 1);
      else ::unsetenv("DOCKER_HOST");
    }
  } restore{previous, saved != nullptr};

  std::stop_source stop;
  auto progress = [&](const gsc::ProgressEvent& e) {
    if (e.kind == gsc::ProgressEvent::Kind::step && e.text.rfind("Hashing", 0) == 0) stop.request_stop();
  };
  try {
    gsc::build(client, build_options(dir, app), gsc::OperationContext{progress, stop.get_token()});
    FAIL("built");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::cancelled);
  }
  CHECK(descendants(client, app_id).empty());
  CHECK(owned_leftovers(client) == 0);
}

TEST_CASE("a container named in build output (` ---> Running in ID`) is never removed by a stopped build",
          "[library]") {
  const std::string victim_name = unique_name("gsc-test-victim");
  const Run created = sh("docker create --name " + victim_name + " gsc-test/busybox:1 sleep 60");
  REQUIRE(created.status == 0);
  struct RemoveVictim {
    std::string name;
    ~RemoveVictim() { sh("docker rm -f " + name); }
  } remove_victim{victim_name};
  const std::string victim = created.out.substr(0, 64);
  docker::Client client(docker::endpoint_from_environment());
  const std::string root = client.inspect_image("gsc-test/debian:12").id;

  // A build step the image's author controls prints the victim's id as the daemon would (its
  // steps labelled as gsc's own builds label theirs).
  std::stop_source stop;
  docker::Operation op(client, stop.get_token());
  gsc::tar::Writer context;
  context.add_file("Dockerfile", "FROM gsc-test/debian:12\nLABEL gsc.build=\"" + op.step_label("test", root) +
                                     "\" gsc.test.victim=\"" + victim_name + "\"\nRUN echo ' ---> Running in " +
                                     victim.substr(0, 12) + "' && echo 'Removing intermediate container " +
                                     victim.substr(0, 12) + "' && sleep 20\n");
  {
    const docker::OperationScope scope(&op);
    op.build_root(root);
    try {
      client.build({.context = context.finish()}, [&](const gsc::ProgressEvent& e) {
        if (e.text.find("Running in " + victim.substr(0, 12)) != std::string::npos) stop.request_stop();
      });
      FAIL("built");
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::cancelled);
    }
    op.cleanup();
  }
  CHECK(sh("docker inspect -f '{{.Id}}' " + victim_name).out.substr(0, 64) == victim);
  // The build's own LABEL step image went with the cleanup.
  for (const auto& image : client.list_images({.all = true, .labels = {"gsc.test.victim=" + victim_name}}))
    FAIL_CHECK("left " << image.id);
}

TEST_CASE("gsc prune removes what a dead gsc process left, never what a live one owns", "[library][prune]") {
  ImageGuard guard;
  const std::string host = docker::owner_label_value().substr(docker::owner_label_value().find('@') + 1);
  const std::string dead = "999999999";  // above any pid_max: no such process
  const std::string live = std::to_string(::getpid());
  const std::string marker = unique_name("gsc-test-prune");
  auto create = [&](const std::string& pid) {
    const Run r = sh("docker create --label gsc.test.prune=" + marker + " --label gsc.owner=" + pid + "@" + host +
                     " --label gsc.operation=0123456789abcdef gsc-test/busybox:1 true");
    REQUIRE(r.status == 0);
    return r.out.substr(0, 64);
  };
  const std::string dead_container = create(dead);
  const std::string live_container = create(live);
  struct RemoveContainers {
    std::string marker;
    ~RemoveContainers() { sh("docker ps -aq --filter label=gsc.test.prune=" + marker + " | xargs -r docker rm -f"); }
  } remove_containers{marker};
  // A dead owner's image (only its gsc-owned tag refers to it) and a live owner's tag on it too.
  const std::string image = unique_name("gsc-test-app/prune");
  guard.add(image);
  docker_build(image, "FROM gsc-test/busybox:1\nLABEL gsc.test.prune=\"" + marker + "\"\n");
  const std::string slug = docker::host_slug();
  const std::string dead_tag = "gsc-owned/" + slug + "-" + dead + ":prune-test";
  const std::string live_tag = "gsc-owned/" + slug + "-" + live + ":prune-test-" + marker.substr(marker.rfind('-') + 1);
  REQUIRE(sh("docker tag " + image + " " + dead_tag + " && docker tag " + image + " " + live_tag).status == 0);
  guard.add(dead_tag);
  guard.add(live_tag);

  const Run dry = gsc_test::gsc({"prune", "--dry-run"});
  CHECK(dry.status == 0);
  CHECK(dry.out.find("Would remove container " + dead_container.substr(0, 12)) != std::string::npos);
  CHECK(sh("docker inspect " + dead_container).status == 0);

  const Run pruned = gsc_test::gsc({"prune"});
  INFO(pruned.out << pruned.err);
  CHECK(pruned.status == 0);
  CHECK(sh("docker inspect " + dead_container).status != 0);
  CHECK(sh("docker inspect " + live_container).status == 0);
  CHECK_FALSE(image_exists(dead_tag));
  CHECK(image_exists(live_tag));
  CHECK(image_exists(image));  // tagged otherwise: only the dead owner's tag went
}
