// gsc sign-image: gsc-IMAGE-unsigned -> gsc-IMAGE, and gsc info-image.
//
//   1. inputs: the unsigned image, the user's key, the date (checked before any work)
//   2. the measurement, by gsc itself from the image's bytes: Gramine v1.9's manifest.sgx and
//      enclave layout, nothing of the image runs (another Gramine version: its own
//      gramine-sgx-sign, from config.yaml's Gramine.Image, never from the image; result checked)
//   3. the signature: the SIGSTRUCT signed on the host with the user's key
//      (or: exported for signing elsewhere, or completed with an imported signature)
//   4. the signed image: the two files in a last layer, labelled, tagged gsc-IMAGE

#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "core/host_file.hpp"
#include "gramine/document.hpp"
#include "gsc/config.hpp"
#include "docker/operation.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "image/scan.hpp"
#include "ops/config_source.hpp"
#include "ops/container.hpp"
#include "ops/labels.hpp"
#include "ops/inputs.hpp"
#include "ops/measure.hpp"
#include "ops/operation_run.hpp"
#include "ops/phases.hpp"
#include "ops/scan.hpp"
#include "sgx/key.hpp"
#include "sgx/sign.hpp"
#include "sgx/sigstruct.hpp"
#include "tar/writer.hpp"
#include "templates/render.hpp"

namespace gsc {
namespace {

constexpr const char* kSignDir = "/gsc-sign";

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[11];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void check_date(const std::string& date) {
  const bool shape = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                     std::all_of(date.begin(), date.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  if (!shape) throw Error(ErrorCategory::usage, "`--date " + date + "` is not a date: write YYYY-MM-DD.");
}

std::string read_host_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::input, "Cannot read " + what + " `" + path + "`.");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What step 2 hands to the signature: manifest.sgx and the SIGSTRUCT still to be signed.
struct Measured {
  std::string manifest_sgx;
  std::string sigstruct;
  std::string measured_by;  // "gsc (Gramine 1.9)" or "gramine-sgx-sign of IMAGE"
};

// --- Step 2, other Gramine versions: the configured Gramine image's own signer, in a container
// that holds only the final manifest and a throwaway key, never the network.

Measured measure_with_gramine_signer(docker::Client& client, const std::string& gramine_image,
                                     const std::string& gramine_name, const std::string& manifest,
                                     const std::string& date, const ProgressFn& progress) {
  const std::string key_pem = sgx::private_key_pem(sgx::generate_throwaway_key());
  const std::string dir = kSignDir;
  docker::ContainerCreateOptions create;
  create.image = gramine_image;
  // Gramine's Python package wherever meson put it (lib or lib64, site- or dist-packages), as
  // an image laid out by the original GSC's build-gramine has no PYTHONPATH for it.
  create.entrypoint = std::vector<std::string>{
      "/bin/sh", "-c",
      "p=; for d in /gramine/meson_build_output/lib*/python3*/*-packages; do [ -d \"$d\" ] && p=\"$p${p:+:}$d\"; done; "
      "export PYTHONPATH=\"$p${PYTHONPATH:+:$PYTHONPATH}\"; exec /gramine/meson_build_output/bin/gramine-sgx-sign \"$@\"",
      "gramine-sgx-sign"};
  create.cmd = std::vector<std::string>{"--key",     dir + "/throwaway-key.pem", "--manifest",
                                        dir + "/entrypoint.manifest",
                                        "--output",  dir + "/entrypoint.manifest.sgx",
                                        "--sigfile", dir + "/entrypoint.sig",
                                        "--date",    date};
  create.network_disabled = true;
  create.user = "0";
  ops::EphemeralContainer signer(client, create);

  tar::Writer files;
  files.add_directory("gsc-sign", 0700);
  files.add_file("gsc-sign/entrypoint.manifest", manifest, 0644);
  files.add_file("gsc-sign/throwaway-key.pem", key_pem, 0600);
  client.put_archive(signer.id(), "/", files.finish());

  report(progress, ProgressEvent::Kind::step, "Measuring the enclave with gramine-sgx-sign of " + gramine_name);
  client.start_container(signer.id());
  const int status = client.wait_container(signer.id()).exit_code;
  if (status != 0) {
    const auto logs = client.container_logs(signer.id());
    std::string output = logs.err.empty() ? logs.out : logs.err;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    const auto last = output.rfind('\n');
    throw Error(ErrorCategory::signature, "`gramine-sgx-sign` of `" + gramine_image + "` failed (exit " +
                                              std::to_string(status) + "): " +
                                              (last == std::string::npos ? output : output.substr(last + 1)));
  }
  Measured out;
  out.manifest_sgx = ops::read_container_file(client, signer.id(), dir + "/entrypoint.manifest.sgx").value_or("");
  out.sigstruct = ops::read_container_file(client, signer.id(), dir + "/entrypoint.sig", 64 * 1024).value_or("");
  if (out.manifest_sgx.empty() || out.sigstruct.empty())
    throw Error(ErrorCategory::signature, "`gramine-sgx-sign` produced no entrypoint.manifest.sgx or entrypoint.sig.");
  out.measured_by = "gramine-sgx-sign of " + gramine_name;
  return out;
}

// Whether every key of `want` is in `have` with the same value (tables recursively; `have` may
// hold more: the signer's defaults).
bool contains(const gramine::Value& have, const gramine::Value& want) {
  if (!want.is_table()) return gramine::same_value(have, want);
  if (!have.is_table()) return false;
  for (std::size_t i = 0; i < want.keys.size(); ++i) {
    const gramine::Value* h = have.find(want.keys[i]);
    if (!h || !contains(*h, want.values[i])) return false;
  }
  return true;
}

// A foreign signer's result holds only what gsc can check: the manifest it measured is the
// image's (every key and trusted file), and the SIGSTRUCT's fields follow from that manifest.
// MRENCLAVE itself cannot be recomputed for a Gramine gsc does not know.
void check_foreign_result(const std::string& manifest, const Measured& m, const std::string& date) {
  auto refuse = [](const std::string& why) {
    throw Error(ErrorCategory::signature, "The Gramine signer's result does not match the image: " + why +
                                              ". Nothing was signed.");
  };
  const gramine::Value input = gramine::parse_document(manifest, "entrypoint.manifest");
  const gramine::Value output = gramine::parse_document(m.manifest_sgx, "entrypoint.manifest.sgx");
  gramine::Value input_rest = input, output_rest = output;
  auto trusted = [](gramine::Value& doc) {
    std::map<std::string, std::string> files;
    gramine::Value* sgx = doc.find("sgx");
    gramine::Value* list = sgx ? sgx->find("trusted_files") : nullptr;
    if (!list) return files;
    for (const auto& item : list->items)
      if (item.is_table() && item.find("uri") && item.find("sha256")) files[item.find("uri")->text] = item.find("sha256")->text;
    *list = gramine::Value::make_array();
    return files;
  };
  if (trusted(input_rest) != trusted(output_rest)) refuse("its trusted files differ from the manifest's");
  if (!contains(output_rest, input_rest)) refuse("its manifest.sgx changes a value of the manifest");
  const sgx::Sigstruct s = sgx::parse(m.sigstruct);
  gramine::Value completed = output;  // another Gramine may leave defaults out: v1.9's are the same for these fields
  gramine::apply_defaults(completed);
  const gramine::EnclaveAttributes a = gramine::enclave_attributes(completed);
  std::array<std::uint8_t, 32> mr_enclave{};
  std::copy(std::begin(s.enclave_hash), std::end(s.enclave_hash), mr_enclave.begin());
  const sgx::Sigstruct expected = gramine::unsigned_sigstruct(mr_enclave, a, date);
  if (sgx::signing_data(sgx::to_bytes(expected)) != sgx::signing_data(m.sigstruct))
    refuse("its SIGSTRUCT's date, attributes or ISV fields are not what the manifest says");
}

Measured measure_foreign(docker::Client& client, const docker::ImageInspect& unsigned_image, const std::string& name,
                         const ops::GraminizedFiles& files, const SignOptions& o, const std::string& date,
                         const ProgressFn& progress) {
  const std::string runtime = files.runtime.version.empty() ? "a Gramine that does not state its version"
                                                            : "Gramine " + files.runtime.version;
  ops::ConfigInput input;
  try {
    input = ops::read_config(o.config, o.config_text, o.config_path);
  } catch (const Error& e) {
    throw Error(ErrorCategory::input, "`" + name + "` runs " + runtime + ", which gsc does not measure itself; its "
                                      "measurement needs that Gramine's own signer, named by `Gramine.Image` in "
                                      "config.yaml (`-c`): " + e.what());
  }
  const Config& config = input.config;
  if (config.gramine.image.empty())
    throw Error(ErrorCategory::input, "`" + name + "` runs " + runtime + ", which gsc does not measure itself: set "
                                      "`Gramine.Image` in " + input.name + " to the Gramine image it was built with.");
  const auto gramine = ops::find_image(client, config.gramine.image);
  if (!gramine)
    throw Error(ErrorCategory::not_found, "Cannot find the Gramine image `" + config.gramine.image +
                                              "` (`Gramine.Image` in " + input.name + ").");
  const std::string built_with = ops::label_of(unsigned_image, ops::label::gramine_image_id);
  if (!built_with.empty() && built_with != gramine->id)
    throw Error(ErrorCategory::input, "`" + name + "` was built with the Gramine image " + built_with + ", but `" +
                                          config.gramine.image + "` (Gramine.Image in " + input.name + ") is " +
                                          gramine->id + ". Sign with the configuration it was built with.");
  report(progress, ProgressEvent::Kind::warning,
         "`" + name + "` runs " + runtime + ", which gsc does not measure itself (it measures Gramine 1.9): using "
         "gramine-sgx-sign of `" + config.gramine.image + "` (Gramine.Image), and checking its result.");
  Measured m = measure_with_gramine_signer(client, gramine->id, config.gramine.image, files.manifest, date, progress);
  check_foreign_result(files.manifest, m, date);
  return m;
}

// Step 4: the signed image.
std::string build_signed(docker::Client& client, const docker::ImageInspect& unsigned_image, const Measured& measured,
                         const std::string& sigstruct, const SigstructInfo& info, const std::string& libpal_sha256,
                         const SignOptions& o, const ProgressFn& progress) {
  templates::SignData data;
  data.unsigned_image = unsigned_image.id;
  data.args = {o.defines.begin(), o.defines.end()};
  data.labels = {{ops::label::mr_enclave, info.mr_enclave},
                 {ops::label::mr_signer, info.mr_signer},
                 {ops::label::measured_by, measured.measured_by},
                 {ops::label::signed_manifest_sgx, image::sha256_hex(measured.manifest_sgx)},
                 {ops::label::signed_libpal, libpal_sha256},
                 {docker::kStepLabel, docker::step_label_for("sign", unsigned_image.id)}};
  tar::Writer context;
  context.add_file("Dockerfile", templates::render_sign_dockerfile(o.templates_dir, data), 0644);
  context.add_file("app_files/entrypoint.manifest.sgx", measured.manifest_sgx, 0644);
  context.add_file("app_files/entrypoint.sig", sigstruct, 0644);
  docker::BuildOptions build;
  build.context = context.finish();
  build.tags = {signed_image_name(o.image)};
  report(progress, ProgressEvent::Kind::step, "Adding the signature layer and tagging " + signed_image_name(o.image));
  if (auto* op = docker::current_operation()) op->build_root(unsigned_image.id);  // its steps, should it fail
  return client.build(build, progress).image_id;
}

SignResult run_sign(docker::Client& client, const SignOptions& o, const ProgressFn& caller_progress) {
  ops::Phases phases;
  const ProgressFn progress = phases.stamp(caller_progress);
  SignResult result;
  const bool export_only = !o.export_signing_data_path.empty();
  const bool import = !o.import_signature_path.empty();
  if (export_only && import)
    throw Error(ErrorCategory::usage, "`--export-signing-data` and `--import-signature` are the two steps of "
                                      "two-step signing: use one at a time.");

  // 1. Inputs, all checked before the daemon does any work.
  const std::string unsigned_name = unsigned_image_name(o.image);
  const auto unsigned_image = ops::find_image(client, unsigned_name);
  if (!unsigned_image)
    throw Error(ErrorCategory::not_found, "Cannot find `" + unsigned_name + "`. You must first build this image via `gsc build`.");
  // The key, read and checked now: a signer of the caller's, PEM bytes, or a PEM file.
  std::shared_ptr<Signer> signer;
  std::optional<sgx::PublicKey> public_key;
  if (import || (export_only && !o.key_path.empty())) public_key = sgx::load_public_key(o.key_path);
  else if (!export_only && o.signer) signer = o.signer;
  else if (!export_only && o.key_pem) signer = make_pem_signer(*o.key_pem, o.passphrase);
  else if (!export_only) signer = make_file_signer(o.key_path, o.passphrase);
  std::string import_signature;
  if (import) import_signature = read_host_file(o.import_signature_path, "the signature");
  const std::string date = o.date.empty() ? today_utc() : o.date;
  check_date(date);
  if (o.remove_gramine_deps)
    report(progress, ProgressEvent::Kind::info,
           "--remove-gramine-deps: gsc installed no packages into the image (no Python, no build tools), so there "
           "is nothing to remove.");

  // 2. The measurement.
  const ops::GraminizedFiles files = phases.run("read_image", [&] {
    return ops::read_graminized(client, unsigned_image->id, unsigned_name);
  });
  const std::string libpal_sha256 = files.libpal.empty() ? "" : image::sha256_hex(files.libpal);
  const Measured measured = phases.run("measure", [&] {
    if (!gramine::measured_natively(files.runtime.version))
      return measure_foreign(client, *unsigned_image, unsigned_name, files, o, date, progress);
    report(progress, ProgressEvent::Kind::step, "Measuring the enclave (Gramine " + files.runtime.version + ")");
    ops::LazyImageFiles image_files([&] {
      report(progress, ProgressEvent::Kind::step, "Reading the image's files: its manifest lists files without a hash");
      return ops::scan_image(client, {.image_id = unsigned_image->id}).result;
    });
    const ops::NativeMeasurement m = ops::measure_natively(files, date, &image_files);
    for (const auto& path : m.manifest.hashed)
      report(progress, ProgressEvent::Kind::info, "hashed `" + path + "` (the manifest lists it without a sha256)");
    return Measured{m.manifest.text, m.sigstruct, "gsc (Gramine " + files.runtime.version + ")"};
  });

  // 3. The signature.
  if (export_only) {
    phases.run("export", [&] { gsc::write_host_file(o.export_signing_data_path, sgx::signing_data(measured.sigstruct)); });
    result.info = describe_sigstruct(measured.sigstruct);
    result.timings = phases.timings();
    return result;
  }
  const std::string sigstruct = phases.run("sign", [&] {
    return import ? sgx::apply_signature(measured.sigstruct, *public_key, import_signature)
                  : sgx::sign_with(measured.sigstruct, *signer);
  });
  result.info = describe_sigstruct(sigstruct);
  if (!result.info.signature_valid)
    throw Error(ErrorCategory::signature, "The signature does not verify (" + result.info.signature_problem +
                                              "). With two-step signing, sign exactly the exported data and use the same `--date`.");

  // 4. The signed image.
  result.image_name = signed_image_name(o.image);
  const std::string previous = ops::image_id_of(client, result.image_name);
  result.image_id = phases.run("final_layer", [&] {
    return build_signed(client, *unsigned_image, measured, sigstruct, result.info, libpal_sha256, o, progress);
  });
  ops::remove_if_orphaned(client, previous, result.image_id);
  result.timings = phases.timings();
  return result;
}

}  // namespace

SignResult sign_image(docker::Client& client, const SignOptions& o, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc sign-image " + o.image,
                            [&](docker::Operation&) { return run_sign(client, o, ctx.progress); });
}

namespace {

SigstructInfo run_info(docker::Client& client, const std::string& image) {
  const auto inspected = ops::find_image(client, image);
  if (!inspected)
    throw Error(ErrorCategory::not_found, "Cannot find image `" + image + "`. `docker images` lists the images the daemon has.");
  const auto sig = ops::read_image_file(client, inspected->id, ops::kSigPath, 64 * 1024);
  if (!sig) {
    if (!ops::label_of(*inspected, ops::label::tool).empty())
      throw Error(ErrorCategory::input, "`" + image + "` is not signed. Sign it with `gsc sign-image`.");
    throw Error(ErrorCategory::input, "`" + image + "` is not a gsc image (no " + std::string(ops::kSigPath) +
                                          "). Graminize and sign it with `gsc build` and `gsc sign-image`.");
  }
  return describe_sigstruct(*sig);
}

}  // namespace

SigstructInfo info_image(docker::Client& client, const std::string& image, const OperationContext& ctx) {
  return ops::run_operation(client, ctx, "gsc info-image " + image,
                            [&](docker::Operation&) { return run_info(client, image); });
}

}  // namespace gsc
