// gsc build-gramine: a base image with Gramine compiled from Gramine.Repository at
// Gramine.Branch for Distro, usable afterwards as Gramine.Image.

#include <filesystem>

#include "gsc/config.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "ops/compile.hpp"
#include "ops/inputs.hpp"
#include "ops/operation_run.hpp"
#include "ops/phases.hpp"

namespace gsc {

namespace {

BuildGramineResult run_build_gramine(docker::Client& client, const BuildGramineOptions& o, const ProgressFn& caller_progress) {
  ops::Phases phases;
  const ProgressFn progress = phases.stamp(caller_progress);
  check_image_name(o.image);
  const ops::ConfigInput input = ops::read_config(o.config, o.config_text, o.config_path);
  const Config& config = input.config;
  if (!config.gramine.image.empty())
    throw Error(ErrorCategory::input, "`gsc build-gramine` compiles Gramine, but `Gramine.Image` is set in " +
                                          input.name + ". Remove it to compile from `Gramine.Repository`.");
  if (config.distro == "auto")
    throw Error(ErrorCategory::input, "`gsc build-gramine` needs a distro, but `Distro` is `auto` in " + input.name +
                                          ". Set it, e.g. `Distro: \"debian:12\"`.");
  BuildGramineResult result;
  result.image_name = o.image;
  const ops::CompileRequest request{.config = config,
                                    .config_path = input.name,
                                    .distro = manifest::parse_distro(config.distro),
                                    .build_type = o.build_type,
                                    .templates_dir = o.templates_dir,
                                    .host_root = o.host_root};
  const ops::CompileContext context = phases.run("context", [&] { return ops::make_compile_context(request); });

  for (const auto& warning : context.warnings) report(progress, ProgressEvent::Kind::warning, warning);
  if (!o.file_only_dir.empty()) {
    // Into a new or empty directory only: an earlier run's files would mix with these.
    std::error_code ec;
    if (std::filesystem::exists(o.file_only_dir, ec) && !std::filesystem::is_empty(o.file_only_dir, ec))
      throw Error(ErrorCategory::input, "`" + o.file_only_dir + "` exists and is not empty. Give `-f` a new directory "
                                        "(`--output-dir DIR`), or remove it.");
    context.files().write_to(o.file_only_dir);
    result.file_only_dir = o.file_only_dir;
    result.timings = phases.timings();
    return result;
  }
  report(progress, ProgressEvent::Kind::step, "Compiling Gramine from " + context.source + " for " + request.distro.name);
  result.image_id = phases.run("compile", [&] {
    return ops::compile_gramine(client, context, o.image, o.use_cache, o.build_args, progress);
  });
  result.timings = phases.timings();
  return result;
}

}  // namespace

BuildGramineResult build_gramine(docker::Client& client, const BuildGramineOptions& o, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc build-gramine " + o.image,
                            [&](docker::Operation&) { return run_build_gramine(client, o, ctx.progress); });
}

}  // namespace gsc
