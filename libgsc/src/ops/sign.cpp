// gsc sign-image: gsc-IMAGE-unsigned -> gsc-IMAGE, and gsc info-image.
//
//   1. inputs: the unsigned image, its manifest, the user's key (checked before any work)
//   2. the measurement: gramine-sgx-sign of the image's own Gramine, in a throwaway
//      container, with a throwaway key (the user's key never reaches the daemon)
//   3. the signature: the SIGSTRUCT re-signed on the host with the user's key
//      (or: exported for signing elsewhere, or completed with an imported signature)
//   4. the signed image: the two files in a last layer, labelled, tagged gsc-IMAGE

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "manifest/manifest.hpp"
#include "ops/container.hpp"
#include "ops/labels.hpp"
#include "ops/phases.hpp"
#include "sgx/key.hpp"
#include "sgx/sigstruct.hpp"
#include "tar/writer.hpp"
#include "templates/render.hpp"

namespace gsc {
namespace {

constexpr const char* kSignDir = "/gsc-sign";
constexpr const char* kManifestPath = "/gramine/app_files/entrypoint.manifest";
constexpr const char* kSigPath = "/gramine/app_files/entrypoint.sig";

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[11];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string read_host_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::input, "Cannot read " + what + " `" + path + "`.");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_host_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw Error(ErrorCategory::input, "Cannot write `" + path + "`.");
}

struct Measured {
  std::string manifest_sgx;
  std::string sigstruct;  // signed with the throwaway key
};

// Step 2: gramine-sgx-sign of the Gramine the image was built with, in a container that holds
// only the final manifest and a throwaway key, never the network.
Measured measure(docker::Client& client, const std::string& gramine_image, const std::string& manifest,
                 const std::string& date, const ProgressFn& progress) {
  const std::string key_pem = sgx::private_key_pem(sgx::generate_throwaway_key());
  const std::string dir = kSignDir;
  docker::ContainerCreateOptions create;
  create.image = gramine_image;
  create.entrypoint = std::vector<std::string>{"/gramine/meson_build_output/bin/gramine-sgx-sign"};
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

  report(progress, ProgressEvent::Kind::step, "Measuring the enclave with gramine-sgx-sign of " + gramine_image);
  client.start_container(signer.id());
  const int status = client.wait_container(signer.id()).exit_code;
  if (status != 0) {
    const auto logs = client.container_logs(signer.id());
    std::string output = logs.err.empty() ? logs.out : logs.err;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    const auto last = output.rfind('\n');
    throw Error(ErrorCategory::signature, "`gramine-sgx-sign` failed (exit " + std::to_string(status) +
                                              "): " + (last == std::string::npos ? output : output.substr(last + 1)));
  }
  Measured out;
  out.manifest_sgx = ops::read_container_file(client, signer.id(), dir + "/entrypoint.manifest.sgx").value_or("");
  out.sigstruct = ops::read_container_file(client, signer.id(), dir + "/entrypoint.sig").value_or("");
  if (out.manifest_sgx.empty() || out.sigstruct.empty())
    throw Error(ErrorCategory::signature, "`gramine-sgx-sign` produced no entrypoint.manifest.sgx or entrypoint.sig.");
  return out;
}

// Step 4: the signed image.
std::string build_signed(docker::Client& client, const docker::ImageInspect& unsigned_image,
                         const Measured& measured, const std::string& sigstruct, const SigstructInfo& info,
                         const SignOptions& o, const ProgressFn& progress) {
  templates::SignData data;
  data.unsigned_image = unsigned_image.id;
  data.args = {o.defines.begin(), o.defines.end()};
  data.labels = {{ops::label::mr_enclave, info.mr_enclave}, {ops::label::mr_signer, info.mr_signer}};
  tar::Writer context;
  context.add_file("Dockerfile", templates::render_sign_dockerfile(o.templates_dir, data), 0644);
  context.add_file("app_files/entrypoint.manifest.sgx", measured.manifest_sgx, 0644);
  context.add_file("app_files/entrypoint.sig", sigstruct, 0644);
  docker::BuildOptions build;
  build.context = context.finish();
  build.tags = {signed_image_name(o.image)};
  report(progress, ProgressEvent::Kind::step, "Adding the signature layer and tagging " + signed_image_name(o.image));
  return client.build(build, progress).image_id;
}

}  // namespace

SignResult sign_image(docker::Client& client, const SignOptions& o, const ProgressFn& progress) {
  ops::Phases phases;
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
  const auto gramine_id = ops::label_of(*unsigned_image, ops::label::gramine_image_id);
  if (gramine_id.empty())
    throw Error(ErrorCategory::input, "`" + unsigned_name + "` was not built by this gsc (no `" +
                                          std::string(ops::label::gramine_image_id) + "` label). Rebuild it with `gsc build`.");
  if (!ops::find_image(client, gramine_id))
    throw Error(ErrorCategory::not_found, "The Gramine image " + gramine_id + " that `" + unsigned_name +
                                              "` was built with is gone. Rebuild with `gsc build`.");
  std::optional<sgx::SigningKey> key;
  std::optional<sgx::PublicKey> public_key;
  if (import || export_only) public_key = sgx::load_public_key(o.key_path);
  else key = sgx::load_signing_key(o.key_path, o.passphrase);
  std::string import_signature;
  if (import) import_signature = read_host_file(o.import_signature_path, "the signature");
  const std::string date = o.date.empty() ? today_utc() : o.date;

  const std::string manifest = phases.run("read_manifest", [&] {
    auto text = ops::read_image_file(client, unsigned_image->id, kManifestPath);
    if (!text) throw Error(ErrorCategory::input, "`" + unsigned_name + "` has no " + kManifestPath + ". Rebuild it with `gsc build`.");
    return *text;
  });
  if (const auto missing = manifest::trusted_files_without_hash(manifest); !missing.empty())
    throw Error(ErrorCategory::internal, "the manifest of `" + unsigned_name + "` lists `" + missing.front() +
                                             "` without a sha256: a bug of `gsc build`. Please report it.");

  if (o.remove_gramine_deps)
    report(progress, ProgressEvent::Kind::info,
           "--remove-gramine-deps: gsc installed no packages into the image (no Python, no build tools), so there "
           "is nothing to remove.");

  // 2. The measurement.
  const Measured measured = phases.run("measure", [&] { return measure(client, gramine_id, manifest, date, progress); });

  // 3. The signature.
  std::string sigstruct;
  if (export_only) {
    write_host_file(o.export_signing_data_path, sgx::signing_data(measured.sigstruct));
    result.info = describe_sigstruct(measured.sigstruct);
    report(progress, ProgressEvent::Kind::info,
           "Sign the data with your key, e.g. `openssl dgst -sha256 -sign KEY.pem -out SIG " +
               o.export_signing_data_path + "`, then run `gsc sign-image --import-signature SIG --date " + date +
               " " + o.image + " PUBLIC-KEY.pem`.");
    result.timings = phases.timings();
    return result;
  }
  sigstruct = phases.run("sign", [&] {
    return import ? sgx::apply_signature(measured.sigstruct, *public_key, import_signature)
                  : sgx::resign_sigstruct(measured.sigstruct, *key);
  });
  result.info = describe_sigstruct(sigstruct);
  if (!result.info.signature_valid)
    throw Error(ErrorCategory::signature, "The signature does not verify (" + result.info.signature_problem +
                                              "). With two-step signing, sign exactly the exported data and use the same `--date`.");

  // 4. The signed image.
  result.image_name = signed_image_name(o.image);
  const std::string previous = ops::image_id_of(client, result.image_name);
  result.image_id = phases.run("final_layer", [&] {
    return build_signed(client, *unsigned_image, measured, sigstruct, result.info, o, progress);
  });
  ops::remove_if_orphaned(client, previous, result.image_id);
  result.timings = phases.timings();
  return result;
}

SigstructInfo info_image(docker::Client& client, const std::string& image) {
  const auto inspected = ops::find_image(client, image);
  if (!inspected)
    throw Error(ErrorCategory::not_found, "Cannot find image `" + image + "`. `docker images` lists the images the daemon has.");
  const auto sig = ops::read_image_file(client, inspected->id, kSigPath);
  if (!sig) {
    if (!ops::label_of(*inspected, ops::label::tool).empty())
      throw Error(ErrorCategory::input, "`" + image + "` is not signed. Sign it with `gsc sign-image`.");
    throw Error(ErrorCategory::input, "`" + image + "` is not a gsc image (no " + kSigPath +
                                          "). Graminize and sign it with `gsc build` and `gsc sign-image`.");
  }
  return describe_sigstruct(*sig);
}

}  // namespace gsc
