// gsc verify-image: does a signed image's content give the MRENCLAVE its SIGSTRUCT carries?
//
//   1. the image's files: entrypoint.manifest, .manifest.sgx, .sig, Gramine's SGX PAL
//   2. the measurement of the manifest.sgx and PAL the enclave loads, by gsc (Gramine v1.9),
//      against the SIGSTRUCT (MRENCLAVE and the fields the manifest determines, signature)
//   3. manifest.sgx against what entrypoint.manifest gives
//   4. every trusted file's hash against the image's file (one pass over the image, cached)
//
// Nothing of the image runs. The labels sign-image left (hashes of what it measured) only
// help to say what changed; the verdict never depends on them.

#include <map>

#include "gramine/document.hpp"
#include "gramine/enclave.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "image/scan.hpp"
#include "ops/container.hpp"
#include "ops/labels.hpp"
#include "ops/measure.hpp"
#include "ops/operation_run.hpp"
#include "ops/phases.hpp"
#include "ops/scan.hpp"
#include "sgx/sigstruct.hpp"

namespace gsc {
namespace {

using Part = VerifyFinding::Part;

// The trusted files of a manifest.sgx (and loader.entrypoint): path -> sha256.
std::vector<std::pair<std::string, std::string>> measured_files(const gramine::Value& manifest) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const gramine::Value& entry) {
    const auto* uri = entry.find("uri");
    const auto* sha = entry.find("sha256");
    if (uri && sha && uri->is_string() && sha->is_string() && uri->text.rfind("file:", 0) == 0)
      out.emplace_back(uri->text.substr(5), sha->text);
  };
  if (const auto* loader = manifest.find("loader"))
    if (const auto* entrypoint = loader->find("entrypoint"); entrypoint && entrypoint->is_table()) add(*entrypoint);
  if (const auto* sgx = manifest.find("sgx"))
    if (const auto* list = sgx->find("trusted_files"); list && list->is_array())
      for (const auto& item : list->items)
        if (item.is_table()) add(item);
  return out;
}

}  // namespace

const char* to_string(VerifyFinding::Part part) noexcept {
  switch (part) {
    case Part::sigstruct: return "sigstruct";
    case Part::manifest: return "manifest";
    case Part::trusted_file: return "trusted file";
    case Part::runtime: return "runtime";
  }
  return "?";
}

namespace {

VerifyResult verify(docker::Client& client, const VerifyOptions& o, const ProgressFn& caller_progress) {
  ops::Phases phases;
  const ProgressFn progress = phases.stamp(caller_progress);
  VerifyResult result;
  result.image_name = o.image;

  // 1. The image's files.
  const auto image = ops::find_image(client, o.image);
  if (!image)
    throw Error(ErrorCategory::not_found, "Cannot find image `" + o.image + "`. `docker images` lists the images the daemon has.");
  result.image_id = image->id;
  const ops::GraminizedFiles files = phases.run("read_image", [&] { return ops::read_graminized(client, image->id, o.image); });
  if (!files.sigstruct || !files.manifest_sgx)
    throw Error(ErrorCategory::input, "`" + o.image + "` is not signed (no " + std::string(ops::kSigPath) + " or " +
                                          ops::kManifestSgxPath + "). Sign it with `gsc sign-image`.");
  result.gramine_version = files.runtime.version;
  if (!gramine::measured_natively(files.runtime.version))
    throw Error(ErrorCategory::input, "`" + o.image + "` runs " +
                                          (files.runtime.version.empty() ? std::string("a Gramine that does not state its version")
                                                                         : "Gramine " + files.runtime.version) +
                                          ": gsc recomputes measurements of Gramine 1.9 only.");
  if (files.libpal.empty())
    throw Error(ErrorCategory::input, "`" + o.image + "` has no Gramine SGX PAL (sgx/libpal.so): it cannot run under SGX.");
  const sgx::Sigstruct sig = sgx::parse(*files.sigstruct);
  const SigstructInfo info = describe_sigstruct(*files.sigstruct);
  result.mr_enclave_signed = ops::to_hex(sig.enclave_hash, sizeof sig.enclave_hash);

  // 2. The measurement of what the enclave loads.
  report(progress, ProgressEvent::Kind::step, "Measuring the enclave from the image's manifest.sgx and SGX PAL");
  const gramine::Value manifest_sgx = gramine::parse_document(*files.manifest_sgx, "entrypoint.manifest.sgx");
  phases.run("measure", [&] {
    const gramine::EnclaveAttributes attributes = gramine::enclave_attributes(manifest_sgx);
    const auto m = gramine::measure_enclave(*files.manifest_sgx, files.libpal, attributes);
    result.mr_enclave_computed = ops::to_hex(m.mr_enclave.data(), m.mr_enclave.size());
    if (result.mr_enclave_computed != result.mr_enclave_signed) {
      std::string why = "MRENCLAVE " + result.mr_enclave_signed + " is not the measurement of this image (" +
                        result.mr_enclave_computed + ")";
      const std::string signed_pal = ops::label_of(*image, ops::label::signed_libpal);
      const std::string signed_sgx = ops::label_of(*image, ops::label::signed_manifest_sgx);
      if (!signed_pal.empty() && signed_pal != image::sha256_hex(files.libpal))
        result.findings.push_back({Part::runtime, files.runtime.libpal_path,
                                   "Gramine's SGX PAL is not the one measured at signing (sha256 " +
                                       image::sha256_hex(files.libpal) + ", signed " + signed_pal + ")"});
      if (!signed_sgx.empty() && signed_sgx != image::sha256_hex(*files.manifest_sgx))
        result.findings.push_back({Part::manifest, ops::kManifestSgxPath, "changed since signing"});
      result.findings.push_back({Part::sigstruct, ops::kSigPath, why});
    }
    const sgx::Sigstruct expected = gramine::unsigned_sigstruct(m.mr_enclave, attributes, info.date);
    const std::string want = sgx::signing_data(sgx::to_bytes(expected));
    const std::string have = sgx::signing_data(*files.sigstruct);
    // Everything signed but MRENCLAVE itself (bytes 960..991, compared above).
    if (want.substr(0, 188) != have.substr(0, 188) || want.substr(220) != have.substr(220))
      result.findings.push_back({Part::sigstruct, ops::kSigPath,
                                 "attributes, misc_select or ISV fields differ from what the manifest.sgx says"});
    if (!info.signature_valid)
      result.findings.push_back({Part::sigstruct, ops::kSigPath, "the signature does not verify: " + info.signature_problem});
  });

  // 3 + 4. The manifest and every trusted file against the image's contents.
  report(progress, ProgressEvent::Kind::step, "Hashing the image's files");
  const ops::ImageScan scan = phases.run("export_and_hash", [&] {
    return ops::scan_image(client, {.image_id = image->id,
                                    .use_cache = o.use_cache,
                                    .cache_dir = o.cache_dir,
                                    .progress = progress,
                                    .bytes_total = static_cast<std::uint64_t>(image->size)});
  });
  phases.run("compare", [&] {
    ops::LazyImageFiles view([&] { return scan.result; });
    try {
      const auto expected = gramine::make_manifest_sgx(files.manifest, {files.runtime.pkglibdir}, &view);
      if (expected.text != *files.manifest_sgx)
        result.findings.push_back({Part::manifest, ops::kManifestSgxPath,
                                   "is not what " + std::string(ops::kManifestPath) + " gives (edited after signing?)"});
    } catch (const Error& e) {
      result.findings.push_back({Part::manifest, ops::kManifestPath, e.what()});
    }
    for (const auto& [path, sha] : measured_files(manifest_sgx)) {
      ++result.trusted_files;
      const image::Node* node = nullptr;
      try {
        node = image::resolve_node(scan.result.fs, path);
      } catch (const Error&) {
      }
      if (!node || node->type != image::Node::Type::file || node->sha256.empty())
        result.findings.push_back({Part::trusted_file, path, "missing from the image"});
      else if (node->sha256 != sha)
        result.findings.push_back({Part::trusted_file, path, "content changed (sha256 " + node->sha256 +
                                                                 ", measured " + sha + ")"});
    }
  });
  result.match = result.findings.empty();
  result.timings = phases.timings();
  return result;
}

}  // namespace

VerifyResult verify_image(docker::Client& client, const VerifyOptions& o, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc verify-image " + o.image, [&](docker::Operation&) {
    return verify(client, o, ctx.progress);
  });
}

}  // namespace gsc
