// gsc build: IMAGE -> gsc-IMAGE-unsigned.
//
//   1. inputs: config, user manifest, app image, Gramine image, distro, argv
//   2. stage image: app image + Gramine runtime + gsc's files (one docker build, no RUN), FROM
//      the app image or, when it has ONBUILD triggers, the same image without them
//   3. one streaming pass over the stage's filesystem: every file's SHA-256; the entry point
//      followed through its links (Gramine's manifest check starts meanwhile)
//   4. analysis: the runtime, the places the app writes and reads, reported
//   5. the final manifest: user's + runtime's + distro's entrypoint manifest + image env +
//      places + trusted files
//   6. final layer: the manifest, labels; built while Gramine's gramine-manifest-check checks
//      the manifest, tagged gsc-IMAGE-unsigned once it passed

#include <chrono>
#include <future>

#include "docker/operation.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "ops/build_inputs.hpp"
#include "ops/container.hpp"
#include "ops/final_manifest.hpp"
#include "ops/image_path.hpp"
#include "ops/labels.hpp"
#include "ops/manifest_check.hpp"
#include "ops/operation_run.hpp"
#include "ops/phases.hpp"
#include "ops/stage_base.hpp"
#include "tar/writer.hpp"
#include "templates/render.hpp"

namespace gsc {
namespace {

// Step 2: the stage image FROM `base` (the app image, or the same without ONBUILD triggers),
// built from an in-memory context.
std::string build_stage(docker::Client& client, const ops::BuildInputs& in, const std::string& base,
                        const BuildOptions& o, const ProgressFn& progress) {
  templates::StageData data = in.stage_data(o.image);
  data.app_image = base;
  data.entrypoint_json = in.entrypoint_json();
  data.cmd_json = in.cmd_json();
  data.labels = in.labels(o);
  data.path = ops::final_image_path(in.command.path, in.build_type);
  data.build_label = docker::step_label_for("stage", base);
  tar::Writer context;
  context.add_file("Dockerfile", templates::render_stage_dockerfile(o.templates_dir, data));
  for (const auto& [name, file] : in.host_files()) context.add_file("gsc/" + name, file.first, file.second);
  for (const auto& [name, file] : in.app_files()) context.add_file("app_files/" + name, file.first, file.second);

  docker::BuildOptions build;
  build.context = context.finish();
  build.no_cache = o.use_cache == UseCache::no;
  build.remove_intermediate = true;
  build.force_remove_intermediate = true;
  build.build_args = {o.build_args.begin(), o.build_args.end()};
  return client.build(build, progress).image_id;
}

// Step 6: the final layer: entrypoint.manifest (and diff-image's sizes), untagged: it is
// tagged once Gramine's check has passed.
std::string build_final(docker::Client& client, const std::string& stage_id, const ops::FinalManifest& manifest,
                        const BuildOptions& o, const ProgressFn& progress) {
  tar::Writer context;
  const templates::FinalLayerData data{.stage_image = stage_id};
  context.add_file("Dockerfile", templates::render_final_dockerfile(o.templates_dir, data));
  context.add_file("app_files/entrypoint.manifest", manifest.text);
  context.add_file("app_files/trusted_file_sizes", manifest.trusted_sizes);  // not measured: for diff-image

  docker::BuildOptions build;
  build.context = context.finish();
  build.no_cache = o.use_cache == UseCache::no;
  build.remove_intermediate = true;
  build.force_remove_intermediate = true;
  return client.build(build, progress).image_id;
}

// What the analysis found, for the result.
void record_analysis(const ops::AppAnalysis& a, BuildResult& result) {
  result.entrypoint = a.entrypoint.real;
  result.entrypoint_chain = a.entrypoint.chain;
  result.runtime = a.runtime.name;
  for (const auto& p : a.places.places)
    result.places.push_back({p.path, p.what, manifest::to_string(p.access),
                             p.source == manifest::Place::Source::gsc            ? "gsc"
                             : p.source == manifest::Place::Source::command_line ? "command line"
                                                                                 : "manifest",
                             p.line});
}

// "repo/name:tag" -> {"repo/name", "tag"}; no tag: "latest".
std::pair<std::string, std::string> split_tag(const std::string& name) {
  const auto colon = name.rfind(':');
  if (colon == std::string::npos || name.find('/', colon) != std::string::npos) return {name, "latest"};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

// Gramine's verdict on the manifest: a rejection fails the build in one line.
void accept_verdict(const ops::ManifestCheck::Verdict& verdict, const std::string& manifest_name, BuildResult& result,
                    const ProgressFn& progress) {
  using Kind = ops::ManifestCheck::Verdict::Kind;
  if (verdict.kind == Kind::rejected)
    throw Error(ErrorCategory::input, "Gramine rejects the manifest built from `" + manifest_name +
                                          "`: " + verdict.message + ". Fix it in `" + manifest_name + "`.");
  result.manifest_check = verdict.kind == Kind::valid ? "valid" : verdict.message;
  report(progress, verdict.kind == Kind::valid ? ProgressEvent::Kind::info : ProgressEvent::Kind::warning,
         verdict.kind == Kind::valid ? "gramine-manifest-check: the manifest is valid" : verdict.message);
}

// Steps 2 to 6; images it made stay registered until the run succeeds.
void build_images(docker::Client& client, docker::Operation& op, const BuildOptions& o, const ops::BuildInputs& in,
                  ops::Phases& phases, BuildResult& result, const ProgressFn& progress) {
  // 2. Stage image, on a base that runs none of the app image's ONBUILD triggers.
  ops::report_step(progress, Phase::stage_base, "Building the stage image (" + o.image + " + Gramine)");
  const ops::StageBase base = phases.run("stage_base", [&] { return ops::stage_base(client, in.app_image, progress); });
  op.build_root(base.id);  // a failed build's steps descend from it
  ops::OwnedImage stage(client,
                        phases.run("stage_build", [&] { return build_stage(client, in, base.id, o, progress); }));
  op.build_root(stage.id());
  if (op.did_create_image(stage.id())) op.hold_image(stage.id());  // findable by prune() should gsc die

  // 3. One pass over the stage's files; Gramine's manifest check starts meanwhile.
  ops::report_step(progress, Phase::export_and_hash, "Hashing the image's files");
  ops::ManifestCheck checker(client.endpoint(), in.gramine_image_name);
  const ops::ScannedStage scanned = ops::scan_stage(client, stage.id(), in, o, phases, progress);
  result.bytes_hashed = scanned.scan.bytes_hashed;

  // 4. What the app is and needs.
  const ops::AppAnalysis analysis = phases.run("analysis", [&] {
    ops::AppAnalysis a = ops::analyse_app(scanned, in);
    ops::report_analysis(a, progress);
    return a;
  });
  record_analysis(analysis, result);

  // 5. The final manifest.
  const ops::FinalManifest manifest =
      phases.run("manifest", [&] { return ops::make_final_manifest(scanned, analysis, in, o, progress); });
  result.trusted_files = manifest.trusted_files;
  for (const auto& s : manifest.settings) result.settings.push_back({s.key, s.value, s.why});

  // 6. Final layer, built while Gramine checks the manifest; tagged once the check passed.
  auto verdict = std::async(std::launch::async, [&] { return checker.check(manifest.check_text); });
  ops::report_step(progress, Phase::final_layer, "Adding the manifest layer (Gramine checks the manifest meanwhile)");
  const std::string previous = ops::image_id_of(client, result.image_name);
  ops::OwnedImage final_image(
      client, phases.run("final_layer", [&] { return build_final(client, stage.id(), manifest, o, progress); }));
  // Unnamed until the manifest check passed: held meanwhile, so that no other gsc's cleanup (nor
  // prune) takes it for a leftover.
  if (op.did_create_image(final_image.id())) op.hold_image(final_image.id());
  phases.run("manifest_check", [&] { accept_verdict(verdict.get(), in.manifest_name, result, progress); });
  const auto [repository, tag] = split_tag(result.image_name);
  client.tag_image(final_image.id(), repository, tag);
  ops::report_step(progress, Phase::final_layer, "Tagged " + result.image_name);
  result.image_id = final_image.id();
  final_image.keep();
  stage.keep();  // now the final image's parent: removed together with it
  if (base.created) base.created->keep();  // the stage's parent: likewise
  ops::remove_if_orphaned(client, previous, result.image_id);
}

BuildResult run_build(docker::Client& client, docker::Operation& op, const BuildOptions& o, const ProgressFn& caller_progress) {
  ops::Phases phases;
  const ProgressFn progress = phases.stamp(caller_progress);
  BuildResult result;
  result.image_name = unsigned_image_name(o.image);

  // 1. Inputs: every check that needs no docker build happens before one starts.
  const auto signed_image = o.existing_signed == ExistingSigned::rebuild
                                ? std::nullopt
                                : ops::find_image(client, signed_image_name(o.image));
  if (signed_image && o.existing_signed == ExistingSigned::fail)
    throw Error(ErrorCategory::conflict, "`" + signed_image_name(o.image) + "` already exists. Remove it, or build "
                                         "again with ExistingSigned::rebuild (`--rebuild`) and sign again.");
  if (signed_image) {
    result.already_signed = true;
    result.image_name = signed_image_name(o.image);
    result.image_id = signed_image->id;
    return result;
  }
  const ops::BuildInputs in = phases.run("inputs", [&] { return ops::gather_build_inputs(client, o, progress); });
  result.base_image_id = in.app_image.id;
  result.gramine_image = in.gramine_image_name;
  result.distro = in.distro.name;
  result.argv = in.command.argv;

  // A failed or cancelled build leaves no image behind, not even a build step's (run_operation).
  op.build_root(in.app_image.id);
  build_images(client, op, o, in, phases, result, progress);
  result.timings = phases.timings();
  return result;
}

}  // namespace

BuildResult build(docker::Client& client, const BuildOptions& o, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc build " + o.image,
                            [&](docker::Operation& op) { return run_build(client, op, o, ctx.progress); });
}

}  // namespace gsc
