// gsc diff-image: reads what two graminized images measure, without running them, and
// compares it (the comparison itself is manifest/diff.cpp, pure).

#include "gsc/diff.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "ops/container.hpp"
#include "ops/labels.hpp"
#include "ops/operation_run.hpp"

namespace gsc {
namespace {

MeasuredImage read_measured(docker::Client& client, const std::string& name) {
  const auto image = ops::find_image(client, name);
  if (!image)
    throw Error(ErrorCategory::not_found, "Cannot find image `" + name + "`. `docker images` lists the images the daemon has.");
  // entrypoint.sig is a SIGSTRUCT (1808 bytes): read no more of it than sign-image and info-image do.
  const auto files = ops::read_image_files(client, image->id,
                                           std::vector<ops::FileRequest>{{"/gramine/app_files/entrypoint.manifest", 64 << 20},
                                                                         {"/gramine/app_files/trusted_argv", 64 << 20},
                                                                         {"/gramine/app_files/entrypoint.sig", 64 << 10},
                                                                         {"/gramine/app_files/trusted_file_sizes", 64 << 20}});
  if (!files[0])
    throw Error(ErrorCategory::input, "`" + name + "` is not a graminized image (no /gramine/app_files/entrypoint.manifest). "
                                      "Make one with `gsc build`.");
  MeasuredImage m;
  m.name = name;
  m.manifest = *files[0];
  m.trusted_argv = files[1].value_or("");
  if (files[2]) m.sigstruct = describe_sigstruct(*files[2]);
  m.trusted_sizes = files[3].value_or("");
  m.gramine_image_id = ops::label_of(*image, ops::label::gramine_image_id);
  if (!m.gramine_image_id.empty())
    if (const auto gramine = ops::find_image(client, m.gramine_image_id))
      m.gramine_version = ops::label_of(*gramine, "gsc.gramine.version");
  return m;
}

}  // namespace

DiffResult diff_images(docker::Client& client, const std::string& a, const std::string& b, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc diff-image " + a + " " + b, [&](docker::Operation&) {
    DiffResult result;
    result.a = read_measured(client, a);
    result.b = read_measured(client, b);
    result.diff = diff_measured(result.a, result.b);
    return result;
  });
}

}  // namespace gsc
