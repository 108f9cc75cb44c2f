// Which unnamed images are the steps of gsc's own builds (docker/operation.hpp): the facts
// cleanup and `gsc prune` decide on.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "docker/operation.hpp"

using gsc::docker::ImageGraph;
using gsc::docker::ImageSummary;

namespace {

ImageSummary image(const std::string& id, const std::string& parent, const std::string& step = "",
                   std::vector<std::string> tags = {}) {
  ImageSummary out;
  out.id = id;
  out.parent = parent;
  out.repo_tags = std::move(tags);
  if (!step.empty()) out.labels["gsc.build"] = step;
  return out;
}

}  // namespace

TEST_CASE("step label values depend only on the kind and what the build starts from") {
  using gsc::docker::step_label_value;
  CHECK(step_label_value("stage", "sha256:a") == step_label_value("stage", "sha256:a"));
  CHECK(step_label_value("stage", "sha256:a") != step_label_value("stage", "sha256:b"));
  CHECK(step_label_value("stage", "sha256:a") != step_label_value("sign", "sha256:a"));
  CHECK(step_label_value("stage", "sha256:a").size() == std::string("stage-").size() + 16);
  CHECK(step_label_value("stage", "sha256:a").rfind("stage-", 0) == 0);
}

TEST_CASE("a step image's origin is the image its gsc build started FROM") {
  // app <- label <- copy <- stage (held by gsc) <- final; a sign on the named final.
  const ImageGraph graph({
      image("app", "", "", {"python:3"}),
      image("label", "app", "stage-1"),
      image("copy", "label", "stage-1"),
      image("stage", "copy", "stage-1", {"gsc-owned/host-1:op-0"}),
      image("final", "stage", "stage-1", {"gsc-python-unsigned:latest"}),
      image("sign-label", "final", "sign-1"),
      image("user", "final", "stage-1"),        // someone's build FROM gsc's result
      image("plain", "app"),                    // someone's build FROM the app image
      image("orphan", "gone", "stage-1"),       // parent not listed
      image("pulled", "", "stage-1"),           // no parent: a gsc image pulled or loaded
      image("<none>", "app", "stage-1", {"<none>:<none>"}),
  });
  CHECK(graph.step_origin("label") == "app");
  CHECK(graph.step_origin("copy") == "app");
  CHECK(graph.step_origin("stage") == "app");  // gsc's own hold is no name
  CHECK(graph.step_origin("sign-label") == "final");
  CHECK(graph.step_origin("<none>") == "app");
  CHECK_FALSE(graph.step_origin("final"));     // a named result: not a step
  CHECK_FALSE(graph.step_origin("user"));      // built FROM a gsc result with its label
  CHECK_FALSE(graph.step_origin("plain"));     // no label
  CHECK_FALSE(graph.step_origin("app"));
  CHECK_FALSE(graph.step_origin("unknown"));
  CHECK_FALSE(graph.step_origin("orphan"));
  CHECK_FALSE(graph.step_origin("pulled"));   // a pulled gsc image that lost its name is no step

  CHECK(graph.has_children("final"));
  CHECK_FALSE(graph.has_children("sign-label"));
  CHECK(graph.lineage("copy") == std::vector<std::string>{"copy", "label", "app"});
  CHECK(gsc::docker::named(graph.find("final")->repo_tags));
  CHECK_FALSE(gsc::docker::named(graph.find("stage")->repo_tags));
  CHECK_FALSE(gsc::docker::named(graph.find("<none>")->repo_tags));
}

TEST_CASE("a cycle in parent links ends the walk") {
  const ImageGraph graph({image("a", "b", "stage-1"), image("b", "a", "stage-1")});
  CHECK_FALSE(graph.step_origin("a"));
  CHECK(graph.lineage("a").size() == 1000);
}
