// Golden-file tests of the templates: GSC_UPDATE_GOLDEN=1 rewrites tests/golden/.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gsc/error.hpp"
#include "templates/render.hpp"
#include "unit/golden.hpp"

using namespace gsc::templates;
using gsc_test::check_golden;
using gsc_test::source_dir;

namespace {

std::string templates() { return source_dir() + "/templates"; }

}  // namespace

TEST_CASE("stage Dockerfile, release and debug: the same for every distro", "[golden]") {
  StageData d;
  d.app_image = "sha256:app";
  d.app_image_name = "python:3";
  d.gramine_image = "sha256:gramine";
  d.gramine_image_name = "gramine:1.9";
  check_golden("stage.Dockerfile", render_stage_dockerfile(templates(), d));
  d.copy_whole_gramine = true;
  check_golden("stage-debug.Dockerfile", render_stage_dockerfile(templates(), d));
}

TEST_CASE("final and sign Dockerfiles", "[golden]") {
  check_golden("final.Dockerfile",
               render_final_dockerfile(templates(), {.stage_image = "sha256:stage",
                                                     .entrypoint_json = "[\"/gramine/gsc/launch\",\"--pal-dir\",\"/p\",\"--\"]",
                                                     .cmd_json = "[\"a\",\"b c\"]",
                                                     .labels = {{"gsc.tool", "gsc"}, {"q", "say \"$HOME\"\n"}},
                                                     .path = "/gramine/meson_build_output/bin:/opt/$x:/bin"}));
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
