// The base of gsc's stage for an app image with ONBUILD triggers: its config without them.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ops/stage_base.hpp"

using gsc::ops::config_without_triggers;

namespace {

// What GET /images/{id}/json says of an image with two triggers (fields as dockerd 20.10 sends them).
nlohmann::json inspect_with_triggers() {
  return nlohmann::json::parse(R"({
    "Id": "sha256:fe49", "RepoTags": ["app:1"], "Parent": "sha256:0095", "Comment": "", "Author": "",
    "Created": "2026-12-02T04:34:03.174644257Z", "Architecture": "amd64", "Os": "linux", "Size": 1,
    "Config": {"Hostname": "", "User": "1000", "Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/echo", "hi"],
               "Labels": {"a": "b"}, "StopSignal": "SIGQUIT", "ExposedPorts": {"80/tcp": {}},
               "OnBuild": ["RUN echo TRIGGER-RAN > /trigger", "USER nobody"]},
    "RootFS": {"Type": "layers", "Layers": ["sha256:c11d", "sha256:d22e"]}
  })");
}

}  // namespace

TEST_CASE("config_without_triggers: the app's config, OnBuild empty, its layers, the same bytes each time", "[stage_base]") {
  const auto inspect = inspect_with_triggers();
  const auto result = config_without_triggers(inspect.dump());
  REQUIRE(result);
  CHECK(result->triggers == 2);
  const auto config = nlohmann::json::parse(result->config);
  CHECK(config["config"]["OnBuild"].is_null());
  for (const char* key : {"User", "Env", "Cmd", "Labels", "StopSignal", "ExposedPorts"})
    CHECK(config["config"][key] == inspect["Config"][key]);
  CHECK(config["rootfs"] == nlohmann::json::parse(R"({"type": "layers", "diff_ids": ["sha256:c11d", "sha256:d22e"]})"));
  CHECK(config["architecture"] == "amd64");
  CHECK(config["os"] == "linux");
  CHECK(config["created"] == "2026-12-02T04:34:03.174644257Z");
  CHECK_FALSE(config.contains("author"));  // empty fields are left out
  CHECK(config_without_triggers(inspect.dump(2))->config == result->config);  // any spacing, same bytes
}

TEST_CASE("config_without_triggers: nothing to do without triggers", "[stage_base]") {
  auto inspect = inspect_with_triggers();
  inspect["Config"]["OnBuild"] = nullptr;
  CHECK_FALSE(config_without_triggers(inspect.dump()));
  inspect["Config"]["OnBuild"] = nlohmann::json::array();
  CHECK_FALSE(config_without_triggers(inspect.dump()));
  inspect["Config"] = nullptr;
  CHECK_FALSE(config_without_triggers(inspect.dump()));
}
