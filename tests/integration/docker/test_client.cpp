// libgsc's Docker Engine client against the real daemon.

#include <catch2/catch.hpp>

#include <algorithm>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "docker/operation.hpp"
#include "integration/support.hpp"
#include "tar/reader.hpp"
#include "tar/writer.hpp"

using namespace gsc;
using gsc_test::unique_name;

namespace {

// Removes an image by id or name at scope exit, whatever happened.
struct RemoveImage {
  docker::Client& client;
  std::string name;
  ~RemoveImage() {
    try {
      client.remove_image(name, {.force = true});
    } catch (...) {
    }
  }
};

struct RemoveContainer {
  docker::Client& client;
  std::string id;
  ~RemoveContainer() {
    try {
      client.remove_container(id, {.force = true});
    } catch (...) {
    }
  }
};

std::string context_with(const std::string& dockerfile) {
  tar::Writer w;
  w.add_file("Dockerfile", dockerfile);
  w.add_file("hello.txt", "hello from the context\n");
  return w.finish();
}

}  // namespace

TEST_CASE("ping and version negotiate an API version", "[docker]") {
  auto client = docker::Client::from_environment();
  const auto ping = client.ping();
  CHECK_FALSE(ping.api_version.empty());
  CHECK(client.api_version() == docker::negotiate_api_version(ping.api_version));
  const auto v = client.version();
  CHECK_FALSE(v.version.empty());
  CHECK(v.os == "linux");
}

TEST_CASE("build from an in-memory context: progress lines arrive, then inspect, tag, list, remove", "[docker]") {
  auto client = docker::Client::from_environment();
  const std::string tag = unique_name("gsc-test-client/built") + ":1";
  std::vector<std::string> lines;
  docker::BuildOptions options;
  options.context = context_with("FROM gsc-test/debian:12\nCOPY hello.txt /hello.txt\nRUN echo building-now\n"
                                 "CMD [\"/bin/cat\", \"/hello.txt\"]\n");
  options.tags = {tag};
  options.labels = {{"gsc.test", "1"}};
  const auto result = client.build(options, [&](const ProgressEvent& e) { lines.push_back(e.text); });
  RemoveImage cleanup{client, result.image_id};
  CHECK(result.image_id.rfind("sha256:", 0) == 0);
  CHECK(std::find(lines.begin(), lines.end(), "building-now") != lines.end());
  CHECK(std::any_of(lines.begin(), lines.end(), [](auto& l) { return l.rfind("Step 1/", 0) == 0; }));

  const auto inspected = client.inspect_image(tag);
  CHECK(inspected.id == result.image_id);
  CHECK(inspected.config.cmd == std::vector<std::string>{"/bin/cat", "/hello.txt"});
  CHECK_FALSE(inspected.config.entrypoint.has_value());
  CHECK(inspected.config.labels.at("gsc.test") == "1");

  const std::string other = unique_name("gsc-test-client/tagged");
  client.tag_image(tag, other, "v2");
  CHECK(client.inspect_image(other + ":v2").id == result.image_id);
  const auto listed = client.list_images({.references = {other}});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == result.image_id);
  client.remove_image(other + ":v2");
  CHECK_THROWS_AS(client.inspect_image(other + ":v2"), gsc::Error);
}

TEST_CASE("a failing RUN step is a BuildError with that step's output, and nothing is left", "[docker]") {
  auto client = docker::Client::from_environment();
  // Within an operation, which removes the step images its build made when it fails (labelled
  // as the steps of gsc's own Dockerfiles are).
  docker::Operation op(client, {});
  const docker::OperationScope scope(&op);
  const std::string root = client.inspect_image("gsc-test/debian:12").id;
  op.build_root(root);
  const std::string step = op.step_label("test", root + " " + std::to_string(::getpid()));
  docker::BuildOptions options;
  options.context = context_with("FROM gsc-test/debian:12\nLABEL gsc.build=\"" + step +
                                 "\"\nRUN echo first-step\nRUN echo broken-output && false\n");
  try {
    client.build(options, {});
    FAIL("built");
  } catch (const BuildError& e) {
    CHECK(e.category() == ErrorCategory::build_failed);
    CHECK(e.step() == "RUN echo broken-output && false");
    CHECK(e.output().find("broken-output") != std::string::npos);
    CHECK(std::string(e.what()).find("non-zero code") != std::string::npos);
  }
  REQUIRE_FALSE(client.list_images({.all = true, .labels = {"gsc.build=" + step}}).empty());
  op.cleanup();
  CHECK(client.list_images({.all = true, .labels = {"gsc.build=" + step}}).empty());
}

TEST_CASE("inspect of an unknown image is not_found", "[docker]") {
  auto client = docker::Client::from_environment();
  try {
    client.inspect_image("gsc-test-client/no-such-image:0");
    FAIL("found");
  } catch (const ApiError& e) {
    CHECK(e.category() == ErrorCategory::not_found);
    CHECK(e.status() == 404);
  }
}

TEST_CASE("archive put then get, export as a stream, logs demultiplexed", "[docker]") {
  auto client = docker::Client::from_environment();
  docker::ContainerCreateOptions create;
  create.image = "gsc-test/debian:12";
  create.cmd = std::vector<std::string>{"/bin/sh", "-c", "cat /tmp/put/file.txt; echo to-stderr >&2"};
  create.labels = {{"gsc.test", "1"}};
  const auto id = client.create_container(create).id;
  RemoveContainer cleanup{client, id};

  tar::Writer w;
  w.add_file("put/file.txt", "put through the archive API\n");
  client.put_archive(id, "/tmp", w.finish());
  {
    auto body = client.get_archive(id, "/tmp/put/file.txt");
    tar::Reader reader(*body);
    auto entry = reader.next();
    REQUIRE(entry);
    CHECK(entry->path == "/file.txt");
    CHECK(reader.read_all() == "put through the archive API\n");
  }
  CHECK_THROWS_AS(client.get_archive(id, "/no/such/path"), gsc::Error);

  {
    auto body = client.export_container(id);
    tar::Reader reader(*body);
    bool found = false;
    std::size_t entries = 0;
    while (auto entry = reader.next()) {
      ++entries;
      if (entry->path == "/etc/debian_version") {
        found = true;
        CHECK(reader.read_all().rfind("12.", 0) == 0);
      }
    }
    CHECK(found);
    CHECK(entries > 1000);
  }

  client.start_container(id);
  CHECK(client.wait_container(id).exit_code == 0);
  const auto logs = client.container_logs(id);
  CHECK(logs.out == "put through the archive API\n");
  CHECK(logs.err == "to-stderr\n");
}

TEST_CASE("removing a container that is gone is not_found, and prune by label works", "[docker]") {
  auto client = docker::Client::from_environment();
  try {
    client.remove_container("gsc-test-no-such-container");
    FAIL("removed");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::not_found);
  }
  const auto pruned = client.prune_images({.labels = {"gsc.test.prune-nothing=1"}});
  CHECK(pruned.deleted.empty());
}
