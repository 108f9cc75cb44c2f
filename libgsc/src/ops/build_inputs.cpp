#include "ops/build_inputs.hpp"

#include <nlohmann/json.hpp>

#include "gsc/error.hpp"
#include "gsc/version.hpp"
#include "image/scan.hpp"
#include "manifest/manifest.hpp"
#include "ops/compile.hpp"
#include "ops/config_source.hpp"
#include "ops/container.hpp"
#include "ops/image_distro.hpp"
#include "ops/labels.hpp"
#include "ops/pull.hpp"

namespace gsc::ops {

std::string BuildInputs::gramine_lib_dir() const { return std::string(kGraminePrefix) + "/" + layout.lib_dir; }

templates::StageData BuildInputs::stage_data(const std::string& app_image_name) const {
  templates::StageData d;
  d.app_image = app_image.id;
  d.app_image_name = app_image_name;
  d.gramine_image = gramine_image.id;
  d.gramine_image_name = gramine_image_name;
  d.copy_whole_gramine = build_type != BuildType::release;
  // The SGX loader links libprotobuf-c besides libc: take it from the Gramine image rather than
  // installing packages (and a package manager's state) into the app image.
  d.runtime_libs = {{layout.system_lib + "/libprotobuf-c.so.1", gramine_lib_dir() + "/gsc/"}};
  return d;
}

templates::ApploaderData BuildInputs::apploader_data() const {
  templates::ApploaderData d;
  d.trace = build_type != BuildType::release;
  d.insecure_args = insecure_args == InsecureArgs::yes;
  for (const auto& arg : command.binary_arguments) d.binary_arguments += " " + templates::shell_quote(arg);
  d.runtime_lib_dir = templates::shell_quote(gramine_lib_dir() + "/gsc");
  d.gramine_prefix = kGraminePrefix;
  return d;
}

std::map<std::string, std::pair<std::string, unsigned>> BuildInputs::app_files(const std::string& templates_dir) const {
  std::map<std::string, std::pair<std::string, unsigned>> files;
  files["apploader.sh"] = {templates::render_apploader(templates_dir, apploader_data()), 0755};
  if (insecure_args == InsecureArgs::no) files["trusted_argv"] = {command.trusted_argv, 0644};
  if (etc_files.hosts) files["hosts"] = {manifest::hosts_text(), 0644};
  if (etc_files.hostname) files["hostname"] = {manifest::hostname_text(), 0644};
  return files;
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

BuildInputs gather_build_inputs(docker::Client& client, const BuildOptions& o, const ProgressFn& progress) {
  BuildInputs in;
  in.build_type = o.build_type;
  in.insecure_args = o.insecure_args;
  in.linux_pal = o.linux_pal;
  in.config = config_of(o.config_path);
  in.user_manifest = manifest::load_user_manifest(o.manifest_path);
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

  if (in.config.distro == "auto") {
    in.distro = image_distro(client, in.app_image.id, o.image, config_name(o.config_path));
  } else {
    in.distro = manifest::parse_distro(in.config.distro);
  }
  in.layout = templates::layout_for(in.distro.family);

  // Gramine: the prebuilt image of config.yaml, or one compiled for this distro (once, then reused).
  if (in.config.gramine.image.empty()) {
    const CompileRequest request{.config = in.config,
                                 .config_path = config_name(o.config_path),
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
                          config_name(o.config_path) + "). Build it with `gsc build-gramine` or fix the name.");
  in.gramine_image = *gramine;
  // A Gramine compiled by gsc says whether it has the direct PAL.
  if (o.linux_pal == LinuxPal::yes && label_of(in.gramine_image, label::linux_pal) == "false")
    throw Error(ErrorCategory::input, "`-L` needs Gramine's direct PAL, but `" + in.gramine_image_name +
                                          "` was compiled without it. Compile it again with `gsc build-gramine` "
                                          "(which always builds it).");

  report(progress, ProgressEvent::Kind::info, "distro: " + in.distro.name + ", Gramine: " + in.gramine_image_name);
  return in;
}

}  // namespace gsc::ops
