#include "ops/final_manifest.hpp"

#include <map>

#include "gsc/error.hpp"
#include "image/scan.hpp"
#include "image/trusted_files.hpp"
#include "manifest/manifest.hpp"
#include "ops/container.hpp"
#include "templates/render.hpp"

namespace gsc::ops {
namespace {

// The binary the app starts: a bare name is looked up in the image's PATH, like `which`.
std::string resolve_binary(const image::Filesystem& fs, const BuildInputs& in) {
  const std::string& binary = in.command.binary;
  std::string path = binary;
  if (binary.find('/') == std::string::npos) {
    const auto found = image::lookup_in_path(fs, in.command.path, binary);
    if (!found)
      throw Error(ErrorCategory::input, "cannot find the entrypoint binary `" + binary + "` in the image's PATH (`" +
                                            in.command.path + "`). Use an absolute path in ENTRYPOINT/CMD.");
    path = *found;
  }
  const image::Node* node = image::resolve_node(fs, path);
  if (!node || node->type != image::Node::Type::file)
    throw Error(ErrorCategory::input, "cannot find the entrypoint binary `" + path + "` in the image.");
  return path;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// The distro's entrypoint manifest (rendered template) as a table.
toml::table entrypoint_manifest(const image::Filesystem& fs, const BuildInputs& in, const std::string& templates_dir) {
  const std::string gramine_lib = in.gramine_lib_dir();
  const std::string libsysdb = gramine_lib + "/gramine/libsysdb.so";
  const image::Node* sysdb = image::resolve_node(fs, libsysdb);
  if (!sysdb || sysdb->type != image::Node::Type::file)
    throw Error(ErrorCategory::input, "The Gramine image `" + in.gramine_image_name + "` has no " + libsysdb +
                                          ": is it a Gramine image for " + in.distro.name + "?");
  std::vector<std::string> libs{gramine_lib + "/gramine/runtime/glibc", in.layout.system_lib};
  for (const auto& dir : image::library_dirs(fs))
    if (std::find(libs.begin(), libs.end(), dir) == libs.end()) libs.push_back(dir);

  templates::EntrypointManifestData d;
  d.entrypoint = manifest::quote("/gramine/app_files/" + in.command.binary_basename);
  d.libsysdb_uri = manifest::quote("file:" + libsysdb);
  d.libsysdb_sha256 = manifest::quote(sysdb->sha256);
  d.log_level = manifest::quote(in.build_type == BuildType::debug ? "all" : "error");  // as the original
  d.ld_library_path = manifest::quote(join(libs, ":"));
  d.path = manifest::quote(in.command.path.empty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                                                   : in.command.path);
  d.insecure_args = in.insecure_args == InsecureArgs::yes;
  d.start_dir = manifest::quote(in.command.working_dir);
  d.debug = in.build_type == BuildType::release ? "false" : "true";
  const image::UserIds ids = image::resolve_user(fs, in.command.user);
  d.set_ids = ids.uid != 0 || ids.gid != 0;
  d.uid = std::to_string(ids.uid);
  d.gid = std::to_string(ids.gid);
  return manifest::parse_manifest(templates::render_entrypoint_manifest(templates_dir, d), "entrypoint manifest template");
}

// The image's env as loader.env entries (PATH is the entrypoint manifest's).
toml::table env_manifest(const BuildInputs& in) {
  toml::table env;
  for (const auto& e : in.command.env)
    if (e.name != "PATH") env.insert_or_assign(e.name, e.value);
  return toml::table{{"loader", toml::table{{"env", std::move(env)}}}};
}

}  // namespace

FinalManifest make_final_manifest(docker::Client& client, const std::string& stage_id, const BuildInputs& in,
                                  const BuildOptions& o, const ProgressFn& progress) {
  // One pass over the stage's bytes: a created, never started container, exported as a stream.
  image::ScanResult scan;
  {
    EphemeralContainer container(client, {.image = stage_id, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
    auto stream = client.export_container(container.id());
    scan = image::scan(*stream, {.capture = image::is_config_file_of_interest});
  }
  const image::Filesystem& fs = scan.fs;

  FinalManifest out;
  out.binary_path = resolve_binary(fs, in);

  // user's manifest first (it wins), then the distro's entrypoint manifest, then the env.
  toml::table table = in.user_manifest;
  std::vector<std::string> warnings;
  toml::table defaults = entrypoint_manifest(fs, in, o.templates_dir);
  manifest::merge_into(defaults, env_manifest(in), warnings);
  manifest::merge_into(table, defaults, warnings);
  for (const auto& w : warnings) report(progress, ProgressEvent::Kind::warning, w);

  std::map<std::string, std::uint64_t> sizes;  // of every trusted file gsc hashed

  // The user's own hashless trusted entries (files or directories), hashed from the stage.
  manifest::expand_trusted_entries(table, [&](const std::string& path) {
    image::TrustedFilesOptions options;
    options.exclusions.clear();
    std::vector<manifest::TrustedEntry> entries;
    std::string root = path;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    for (const auto& f : image::trusted_files(fs, options, root).files) {
      entries.push_back({f.path, f.sha256});
      sizes[f.path] = f.size;
    }
    if (entries.empty())
      throw Error(ErrorCategory::input, "Your manifest lists `file:" + path + "` as a trusted file, but the image has "
                                        "no such file or directory.");
    return entries;
  });

  if (manifest::allows_all_files(table)) {
    report(progress, ProgressEvent::Kind::warning,
           "`sgx.file_check_policy = \"allow_all_but_log\"`: no trusted files are listed. Not for production.");
  } else {
    image::TrustedFilesOptions options;
    options.already_listed = manifest::listed_paths(table);
    auto trusted = image::trusted_files(fs, options);
    for (const auto& note : trusted.notes) report(progress, ProgressEvent::Kind::warning, note);
    std::vector<manifest::TrustedEntry> entries;
    entries.reserve(trusted.files.size() + 1);
    for (const auto& f : trusted.files) {
      entries.push_back({f.path, f.sha256});
      sizes[f.path] = f.size;
    }
    // The app's binary under its gsc name: added by the final layer, hashed as its target.
    const std::string link = "/gramine/app_files/" + in.command.binary_basename;
    if (!options.already_listed.count(link)) {
      const auto* binary = image::resolve_node(fs, out.binary_path);
      entries.push_back({link, binary->sha256});
      sizes[link] = binary->size;
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    }
    manifest::add_trusted_files(table, entries);
    out.trusted_files = entries.size();
  }
  out.bytes_hashed = scan.bytes_hashed;
  out.text = manifest::to_toml_string(table);
  for (const auto& [path, size] : sizes) out.trusted_sizes += std::to_string(size) + " " + path + "\n";
  report(progress, ProgressEvent::Kind::info,
         std::to_string(out.trusted_files) + " trusted files, " + std::to_string(scan.bytes_hashed / 1000000) +
             " MB hashed, manifest " + std::to_string(out.text.size() / 1024) + " KiB");
  return out;
}

}  // namespace gsc::ops
