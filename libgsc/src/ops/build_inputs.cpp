#include "ops/build_inputs.hpp"

#include <nlohmann/json.hpp>

#include "gsc/error.hpp"
#include "gsc/version.hpp"
#include "image/scan.hpp"
#include "image/scan_cache.hpp"
#include "manifest/manifest.hpp"
#include "ops/compile.hpp"
#include "ops/config_source.hpp"
#include "ops/container.hpp"
#include "ops/image_distro.hpp"
#include "ops/inputs.hpp"
#include "ops/labels.hpp"
#include "ops/pull.hpp"
#include "core/embedded.hpp"

namespace gsc::ops {

std::string BuildInputs::gramine_lib_dir() const { return std::string(kGraminePrefix) + "/" + layout.lib_dir; }

std::string BuildInputs::pal_dir() const { return gramine_lib_dir() + "/gramine"; }

templates::StageData BuildInputs::stage_data(const std::string& app_image_name) const {
  templates::StageData d;
  d.app_image = app_image.id;
  d.app_image_name = app_image_name;
  d.gramine_image = gramine_image.id;
  d.gramine_image_name = gramine_image_name;
  d.copy_whole_gramine = build_type != BuildType::release;
  d.app_files = !app_files().empty();
  return d;
}

std::map<std::string, std::pair<std::string, unsigned>> BuildInputs::app_files() const {
  std::map<std::string, std::pair<std::string, unsigned>> files;
  if (etc_files.hosts) files["hosts"] = {manifest::hosts_text(), 0644};
  if (etc_files.hostname) files["hostname"] = {manifest::hostname_text(), 0644};
  return files;
}

std::map<std::string, std::pair<std::string, unsigned>> BuildInputs::host_files() const {
  std::map<std::string, std::pair<std::string, unsigned>> files;
  const std::string prefix = std::string(gramine::kHostDir) + "/";
  files[std::string(gramine::kLauncher).substr(prefix.size())] = {std::string(embedded::launcher()), 0755};
  for (const auto& f : sgx_loader) {
    const bool program = f.path == gramine::kSgxLoader || f.path == gramine::kDynamicLinker;
    files[f.path.substr(prefix.size())] = {f.bytes, program ? 0755u : 0644u};
  }
  return files;
}

std::string BuildInputs::entrypoint_json() const {
  std::vector<std::string> entrypoint{gramine::kLauncher, "--pal-dir", pal_dir()};
  if (build_type != BuildType::release) entrypoint.push_back("--trace");
  if (insecure_args == InsecureArgs::yes) entrypoint.push_back("--insecure-args");
  entrypoint.push_back("--");
  // With --insecure-args the app's argv is what follows: the ENTRYPOINT's own arguments, then
  // CMD or the arguments of `docker run`.
  if (insecure_args == InsecureArgs::yes)
    entrypoint.insert(entrypoint.end(), command.binary_arguments.begin(), command.binary_arguments.end());
  return nlohmann::json(entrypoint).dump();
}

std::string BuildInputs::cmd_json() const {
  return insecure_args == InsecureArgs::yes ? nlohmann::json(command.cmd).dump() : "[]";
}

std::map<std::string, std::string> BuildInputs::labels(const BuildOptions& o) const {
  return {{label::tool, "gsc"},
          {label::version, GSC_VERSION_STRING},
          {label::app_image, o.image},
          {label::app_image_id, app_image.id},
          {label::gramine_image, gramine_image_name},
          {label::gramine_image_id, gramine_image.id},
          {label::buildtype, to_string(build_type)},
          {label::distro, distro.name},
          {label::insecure_args, insecure_args == InsecureArgs::yes ? "true" : "false"},
          {label::linux_pal, linux_pal == LinuxPal::yes ? "true" : "false"}};
}

namespace {

// Gramine's SGX loader, re-pointed at gsc's copy of the dynamic linker, with the libraries it
// needs, read from the Gramine image (never started).
std::vector<gramine::HostFile> read_sgx_loader(docker::Client& client, const docker::ImageInspect& image,
                                               const std::string& image_name, const std::string& pal_dir) {
  EphemeralContainer container(client, docker::ContainerCreateOptions{
                                           .image = image.id, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
  const auto read = [&](const std::string& path) { return read_container_file(client, container.id(), path, 64 << 20); };
  try {
    return gramine::sgx_loader_files(read, pal_dir + "/sgx/loader", gramine::default_library_dirs());
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::input) throw;
    std::string message = e.what();
    const std::string generic = "The Gramine image ";
    if (message.rfind(generic, 0) == 0) message = message.substr(generic.size());
    throw Error(ErrorCategory::input, "The Gramine image `" + image_name + "` " + message);
  }
}

// The same, kept in gsc's cache: a Gramine image's id names its content, so a rebuild needs no
// container for it.
std::vector<gramine::HostFile> cached_sgx_loader(docker::Client& client, const docker::ImageInspect& image,
                                                 const std::string& image_name, const std::string& pal_dir,
                                                 const BuildOptions& o) {
  const image::ScanCache cache(o.cache_dir.empty() ? image::ScanCache::default_directory() : o.cache_dir);
  const std::string key = "sgx-loader:1:" + image.id + ":" + pal_dir;
  if (o.use_cache == UseCache::yes) {
    if (const auto strings = cache.load_strings(key); strings && !strings->empty() && strings->size() % 3 == 0) {
      std::vector<gramine::HostFile> files;
      for (std::size_t i = 0; i < strings->size(); i += 3)
        files.push_back({(*strings)[i], (*strings)[i + 1], (*strings)[i + 2]});
      return files;
    }
  }
  auto files = read_sgx_loader(client, image, image_name, pal_dir);
  std::vector<std::string> strings;
  for (const auto& f : files) strings.insert(strings.end(), {f.path, f.source, f.bytes});
  cache.store_strings(key, strings);
  return files;
}

}  // namespace

BuildInputs gather_build_inputs(docker::Client& client, const BuildOptions& o, const ProgressFn& progress) {
  BuildInputs in;
  in.build_type = o.build_type;
  in.insecure_args = o.insecure_args;
  in.linux_pal = o.linux_pal;
  ConfigInput config = read_config(o.config, o.config_text, o.config_path);
  in.config = std::move(config.config);
  in.config_name = std::move(config.name);
  ManifestInput manifest = read_manifest(o.manifest_text, o.manifest_path);
  in.user_manifest = std::move(manifest.table);
  in.manifest_name = std::move(manifest.name);
  for (const auto& m : o.mounts) in.mount_choices.push_back(manifest::parse_mount_choice(m));
  in.etc_files = manifest::etc_files_to_provide(in.user_manifest);

  const auto app = find_or_pull_image(client, o.image, progress);
  if (!app)
    throw Error(ErrorCategory::not_found,
                "Cannot find image `" + o.image + "`. Build or load it first (`docker images` lists the daemon's images).");
  in.app_image = *app;
  manifest::check_choices(in.user_manifest, in.app_image.config.volumes, in.mount_choices);

  const auto& c = in.app_image.config;
  in.command = manifest::app_command({c.entrypoint, c.cmd, c.env, c.working_dir, c.user});
  for (const auto& note : in.command.notes) report(progress, ProgressEvent::Kind::warning, note);
  std::string argv;
  for (const auto& a : in.command.argv) argv += (argv.empty() ? "" : " ") + templates::shell_quote(a);
  report(progress, ProgressEvent::Kind::info,
         "app: " + argv + (o.insecure_args == InsecureArgs::yes ? " (runtime arguments replace CMD: --insecure-args)"
                                                                 : " (trusted argv: runtime arguments are ignored)"));

  // The distro says where Gramine's files and the system's libraries are. An image without one
  // (distroless, FROM scratch) takes it from a prebuilt Gramine image: everything that runs
  // outside the enclave comes from there.
  std::optional<manifest::Distro> app_distro;
  if (in.config.distro == "auto") {
    app_distro = image_distro(client, in.app_image.id);
    if (!app_distro && in.config.gramine.image.empty())
      throw Error(ErrorCategory::input, "`" + o.image + "` has no /etc/os-release, so `Distro: auto` cannot tell which "
                                        "distro to compile Gramine for. Set `Distro` or `Gramine.Image` in " +
                                            in.config_name + ".");
  } else {
    app_distro = manifest::parse_distro(in.config.distro);
  }
  if (app_distro) {
    in.distro = *app_distro;
    in.layout = templates::layout_for(in.distro.family);
  }

  // Gramine: the prebuilt image of config.yaml, or one compiled for this distro (once, then reused).
  if (in.config.gramine.image.empty()) {
    const CompileRequest request{.config = in.config,
                                 .config_path = in.config_name,
                                 .distro = in.distro,
                                 .build_type = o.build_type,
                                 .templates_dir = o.templates_dir,
                                 .use_cache = o.use_cache};
    in.gramine_image_name = ensure_compiled_gramine(client, request, o.build_args, progress);
  } else {
    in.gramine_image_name = in.config.gramine.image;
  }
  const auto gramine = in.config.gramine.image.empty() ? find_image(client, in.gramine_image_name)
                                                       : find_or_pull_image(client, in.gramine_image_name, progress);
  if (!gramine)
    throw Error(ErrorCategory::not_found,
                in.config.gramine.image.empty()
                    ? "The compiled Gramine image `" + in.gramine_image_name + "` vanished during the build. Run it again."
                    : "Cannot find the Gramine image `" + in.gramine_image_name + "` (`Gramine.Image` in " +
                          in.config_name + "). Build it with `gsc build-gramine` or fix the name.");
  in.gramine_image = *gramine;
  // A Gramine compiled by gsc says whether it has the direct PAL.
  if (o.linux_pal == LinuxPal::yes && label_of(in.gramine_image, label::linux_pal) == "false")
    throw Error(ErrorCategory::input, "`-L` needs Gramine's direct PAL, but `" + in.gramine_image_name +
                                          "` was compiled without it. Compile it again with `gsc build-gramine` "
                                          "(which always builds it).");
  if (!app_distro) {
    const auto gramine_distro = image_distro(client, in.gramine_image.id);
    if (!gramine_distro)
      throw Error(ErrorCategory::input, "Neither `" + o.image + "` nor the Gramine image `" + in.gramine_image_name +
                                            "` has /etc/os-release. Set `Distro` in " + in.config_name + ".");
    in.distro = *gramine_distro;
    in.layout = templates::layout_for(in.distro.family);
    report(progress, ProgressEvent::Kind::info,
           "`" + o.image + "` has no distro (/etc/os-release): Gramine and what starts it come whole from `" +
               in.gramine_image_name + "` (" + in.distro.name + ")");
  }
  report(progress, ProgressEvent::Kind::info, "distro: " + in.distro.name + ", Gramine: " + in.gramine_image_name);
  in.sgx_loader = cached_sgx_loader(client, in.gramine_image, in.gramine_image_name, in.pal_dir(), o);
  return in;
}

}  // namespace gsc::ops
