// gsc build: IMAGE -> gsc-IMAGE-unsigned.
//
//   1. inputs: config, user manifest, app image, Gramine image, distro, argv
//   2. stage image: app image + Gramine runtime + gsc's files (one docker build, no RUN)
//   3. one streaming pass over the stage's filesystem: every file's SHA-256
//   4. the final manifest: user's + distro's entrypoint manifest + image env + trusted files
//   5. final layer: the manifest and the binary's link, labels, tag gsc-IMAGE-unsigned

#include <chrono>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "ops/build_inputs.hpp"
#include "ops/container.hpp"
#include "ops/final_manifest.hpp"
#include "ops/image_path.hpp"
#include "ops/labels.hpp"
#include "ops/phases.hpp"
#include "tar/writer.hpp"
#include "templates/render.hpp"

namespace gsc {
namespace {

// Step 2: the stage image, built from an in-memory context.
std::string build_stage(docker::Client& client, const ops::BuildInputs& in, const BuildOptions& o,
                        const ProgressFn& progress) {
  tar::Writer context;
  context.add_file("Dockerfile", templates::render_stage_dockerfile(o.templates_dir, in.stage_data(o.image)));
  context.add_file("app_files/apploader.sh", templates::render_apploader(o.templates_dir, in.apploader_data()),
                   0755);
  if (o.insecure_args == InsecureArgs::no) context.add_file("app_files/trusted_argv", in.command.trusted_argv);

  docker::BuildOptions build;
  build.context = context.finish();
  build.no_cache = o.use_cache == UseCache::no;
  build.remove_intermediate = true;
  build.force_remove_intermediate = true;
  build.build_args = {o.build_args.begin(), o.build_args.end()};
  return client.build(build, progress).image_id;
}

// Step 5: the final layer: entrypoint.manifest and /gramine/app_files/<binary> -> binary.
std::string build_final(docker::Client& client, const std::string& stage_id, const ops::BuildInputs& in,
                        const ops::FinalManifest& manifest, const BuildOptions& o, const ProgressFn& progress) {
  tar::Writer context;
  const templates::FinalLayerData data{.stage_image = stage_id,
                                       .cmd_json = in.cmd_json(),
                                       .labels = in.labels(o),
                                       .path = ops::final_image_path(in.command.path, in.build_type)};
  context.add_file("Dockerfile", templates::render_final_dockerfile(o.templates_dir, data));
  context.add_file("app_files/entrypoint.manifest", manifest.text);
  context.add_file("app_files/trusted_file_sizes", manifest.trusted_sizes);  // not measured: for diff-image
  context.add_symlink("app_files/" + in.command.binary_basename, manifest.binary_path);

  docker::BuildOptions build;
  build.context = context.finish();
  build.tags = {unsigned_image_name(o.image)};
  build.no_cache = o.use_cache == UseCache::no;
  build.remove_intermediate = true;
  build.force_remove_intermediate = true;
  return client.build(build, progress).image_id;
}

// Steps 2 to 5; images it made stay registered until the run succeeds.
void build_images(docker::Client& client, const BuildOptions& o, const ops::BuildInputs& in, ops::Phases& phases,
                  BuildResult& result, const ProgressFn& progress) {
  // 2. Stage image.
  report(progress, ProgressEvent::Kind::step, "Building the stage image (" + o.image + " + Gramine)");
  ops::OwnedImage stage(client, phases.run("stage_build", [&] { return build_stage(client, in, o, progress); }));

  // 3 + 4. One pass over the stage's files, then the final manifest.
  report(progress, ProgressEvent::Kind::step, "Hashing the image's files");
  const ops::FinalManifest manifest =
      phases.run("export_and_hash", [&] { return ops::make_final_manifest(client, stage.id(), in, o, progress); });
  result.trusted_files = manifest.trusted_files;
  result.bytes_hashed = manifest.bytes_hashed;

  // 5. Final layer.
  report(progress, ProgressEvent::Kind::step, "Adding the manifest layer and tagging " + result.image_name);
  const std::string previous = ops::image_id_of(client, result.image_name);
  result.image_id = phases.run("final_layer", [&] { return build_final(client, stage.id(), in, manifest, o, progress); });
  stage.keep();  // now the final image's parent: removed together with it
  ops::remove_if_orphaned(client, previous, result.image_id);
}


}  // namespace

BuildResult build(docker::Client& client, const BuildOptions& o, const ProgressFn& progress) {
  ops::Phases phases;
  BuildResult result;
  result.image_name = unsigned_image_name(o.image);

  // 1. Inputs: every check that needs no docker build happens before one starts.
  if (const auto signed_image = ops::find_image(client, signed_image_name(o.image))) {
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

  // A failed or interrupted build must leave no image behind, not even a build step's.
  docker::record_image_baseline(client, in.app_image.id);
  try {
    build_images(client, o, in, phases, result, progress);
  } catch (...) {
    docker::remove_untagged_images_since_baseline(client);
    throw;
  }
  result.timings = phases.timings();
  return result;
}

}  // namespace gsc
