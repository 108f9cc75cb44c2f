// Golden-file tests of the templates: GSC_UPDATE_GOLDEN=1 rewrites tests/golden/.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "gsc/error.hpp"
#include "core/embedded.hpp"
#include "templates/render.hpp"
#include "unit/golden.hpp"

using namespace gsc::templates;
using gsc_test::check_golden;
using gsc_test::source_dir;

namespace {

// "": the templates compiled into libgsc (the test below checks they are templates/'s bytes).
std::string templates() { return ""; }

}  // namespace

TEST_CASE("stage Dockerfile, release and debug: the same for every distro", "[golden]") {
  StageData d;
  d.app_image = "sha256:app";
  d.app_image_name = "python:3";
  d.gramine_image = "sha256:gramine";
  d.gramine_image_name = "gramine:1.9";
  d.entrypoint_json = "[\"/gramine/gsc/launch\",\"--pal-dir\",\"/p\",\"--\"]";
  d.cmd_json = "[\"a\",\"b c\"]";
  d.labels = {{"gsc.tool", "gsc"}, {"q", "say \"$HOME\"\n"}};
  d.path = "/gramine/meson_build_output/bin:/opt/$x:/bin";
  d.build_label = "stage-0123456789abcdef";
  check_golden("stage.Dockerfile", render_stage_dockerfile(templates(), d));
  d.copy_whole_gramine = true;
  check_golden("stage-debug.Dockerfile", render_stage_dockerfile(templates(), d));
}

TEST_CASE("final and sign Dockerfiles", "[golden]") {
  check_golden("final.Dockerfile", render_final_dockerfile(templates(), {.stage_image = "sha256:stage"}));
  check_golden("sign.Dockerfile",
               render_sign_dockerfile(templates(), {.unsigned_image = "sha256:u", .labels = {{"gsc.mr_enclave", "00"}},
                                                    .args = {{"k", "v\nRUN evil"}}}));
}

TEST_CASE("entrypoint manifest: values arrive quoted, nothing is HTML-escaped", "[golden]") {
  EntrypointManifestData d;
  d.entrypoint = "\"/usr/bin/python3.11\"";
  d.libsysdb_uri = "\"file:/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/libsysdb.so\"";
  d.libsysdb_sha256 = "\"0b37\"";
  d.log_level = "\"warning\"";
  d.ld_library_path = "\"/a:/b\"";
  d.path = "\"/usr/bin:<&>\"";
  d.start_dir = "\"/app/\"";
  d.debug = "false";
  d.trusted_argv = "[\"python3\", \"-c\", \"print('hi')\"]";
  check_golden("entrypoint-release.manifest", render_entrypoint_manifest(templates(), d));
  d.insecure_args = true;
  d.trusted_argv.clear();
  d.set_ids = true;
  d.uid = "1000";
  d.gid = "1000";
  d.debug = "true";
  const std::string out = render_entrypoint_manifest(templates(), d);
  CHECK(out.find("<&>") != std::string::npos);
  check_golden("entrypoint-insecure-user.manifest", out);
}

TEST_CASE("a missing template is an error naming it", "[render]") {
  CHECK_THROWS_WITH(render_final_dockerfile("/nonexistent", {}), Catch::Contains("/nonexistent/common/Dockerfile.final"));
}

TEST_CASE("shell_quote and label_arguments", "[render]") {
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(label_arguments({{"a", "x\"y$z\\"}, {"b", "1\n2"}}) == "\"a\"=\"x\\\"y\\$z\\\\\" \"b\"=\"1 2\"");
}

TEST_CASE("the built-in templates are templates/'s files, byte for byte", "[embedded]") {
  namespace fs = std::filesystem;
  const fs::path root = source_dir() + "/templates";
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string rel = fs::relative(entry.path(), root).string();
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const auto it = gsc::embedded::templates().find(rel);
    REQUIRE(it != gsc::embedded::templates().end());
    CHECK(it->second == bytes.str());
    CHECK(template_text("", rel) == template_text(root.string(), rel));
  }
  CHECK(files == gsc::embedded::templates().size());
}

TEST_CASE("a templates directory overrides the built-in templates", "[embedded]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gsc-templates-" + std::to_string(::getpid()));
  fs::create_directories(dir / "common");
  std::ofstream(dir / "common" / "Dockerfile.final") << "FROM {{stage_image}}\n";
  CHECK(render_final_dockerfile(dir.string(), {.stage_image = "sha256:stage"}) == "FROM sha256:stage\n");
  try {
    render_sign_dockerfile(dir.string(), {});
    FAIL("a missing template in an override directory must be an error");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    CHECK(std::string(e.what()).find(dir.string()) != std::string::npos);
  }
  fs::remove_all(dir);
}
