#include "ops/final_manifest.hpp"

#include <algorithm>
#include <map>

#include "gsc/error.hpp"
#include "image/content.hpp"
#include "image/trusted_files.hpp"
#include "manifest/manifest.hpp"
#include "ops/container.hpp"
#include "ops/scan.hpp"
#include "templates/render.hpp"

namespace gsc::ops {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string search_path(const BuildInputs& in) { return in.command.path.empty() ? kDefaultPath : in.command.path; }

// The first bytes of a file of a container (the rest of the transfer is dropped).
std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// An anchored regex matching `path` and everything below it.
std::string subtree_regex(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out + "(/.*)?";
}

// The distro's entrypoint manifest (rendered template) as a table.
toml::table entrypoint_manifest(const image::Filesystem& fs, const AppAnalysis& analysis, const BuildInputs& in,
                                const std::string& templates_dir) {
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
  // A binary runs as the real file (where the JVM's $ORIGIN finds its libraries); a script as the
  // path it was found at, which Gramine hands its interpreter as $0, as Linux does.
  d.entrypoint = manifest::quote(analysis.interpreter.empty() ? analysis.entrypoint.real : analysis.entrypoint.found);
  d.libsysdb_uri = manifest::quote("file:" + libsysdb);
  d.libsysdb_sha256 = manifest::quote(sysdb->sha256);
  // Release builds log warnings: a file Gramine refuses is named ("Disallowing access to file
  // ..."), not only an EACCES the app may swallow; but not for runtimes that make Gramine warn
  // all the time. Debug builds log everything; debugoptimized logs errors, as the original.
  d.log_level = manifest::quote(in.build_type == BuildType::debug            ? "all"
                                : in.build_type == BuildType::debugoptimized ? "error"
                                : analysis.runtime.quiet_log_reason.empty()  ? "warning"
                                                                             : "error");
  d.ld_library_path = manifest::quote(join(libs, ":"));
  d.path = manifest::quote(search_path(in));
  d.insecure_args = in.insecure_args == InsecureArgs::yes;
  // The trusted argv, unless the user's manifest says how argv is given (Gramine takes one way).
  const auto* loader = in.user_manifest["loader"].as_table();
  const bool user_argv = loader && (loader->contains("argv") || loader->contains("argv_src_file") ||
                                    loader->contains("insecure__use_cmdline_argv"));
  if (!d.insecure_args && !user_argv) {
    std::vector<std::string> quoted;
    for (const auto& arg : in.command.argv) quoted.push_back(manifest::quote(arg));
    d.trusted_argv = "[" + join(quoted, ", ") + "]";
  }
  d.start_dir = manifest::quote(in.command.working_dir);
  d.debug = in.build_type == BuildType::release ? "false" : "true";
  // No USER: uid 0, as Docker runs it, without looking for a passwd file the image may lack.
  const image::UserIds ids = in.command.user.empty() ? image::UserIds{} : image::resolve_user(fs, in.command.user);
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

// Adds hashless sgx.trusted_files entries for directories gsc trusts (/var/www), to be expanded
// with the user's own.
void add_trusted_dirs(toml::table& table, const std::vector<std::string>& dirs) {
  if (dirs.empty()) return;
  if (!table.contains("sgx")) table.insert("sgx", toml::table{});
  auto* sgx = table["sgx"].as_table();
  if (!sgx) throw Error(ErrorCategory::input, "`sgx` in the manifest must be a table of SGX settings.");
  if (!sgx->contains("trusted_files")) sgx->insert("trusted_files", toml::array{});
  auto* array = (*sgx)["trusted_files"].as_array();
  if (!array) throw Error(ErrorCategory::input, "`sgx.trusted_files` in the manifest must be an array.");
  for (const auto& dir : dirs) array->push_back("file:" + dir + "/");
}

std::string setting_line(const manifest::Setting& s) { return s.key + " = " + s.value + " (" + s.why + ")"; }

}  // namespace

ScannedStage scan_stage(docker::Client& client, const std::string& stage_id, const BuildInputs& in,
                        const BuildOptions& o, Phases& phases, const ProgressFn& progress) {
  // One pass over the stage's bytes: a created, never started container, exported as a stream.
  // (or none: a stage image scanned before, by its content-derived id, comes from the cache)
  ScannedStage out;
  phases.run("export_and_hash", [&] {
    const auto inspected = find_image(client, stage_id);
    ImageScan stage = scan_image(client, {.image_id = stage_id,
                                          .use_cache = o.use_cache,
                                          .cache_dir = o.cache_dir,
                                          .progress = progress,
                                          .bytes_total = inspected ? static_cast<std::uint64_t>(inspected->size) : 0});
    if (stage.from_cache)
      report(progress, ProgressEvent::Kind::info, "hashes: the stage image is unchanged since it was scanned (cache)");
    out.scan = std::move(stage.result);
  });
  phases.run("entry_point", [&] {
    out.entrypoint = image::resolve_entrypoint(out.scan.fs, in.command.binary, search_path(in));
    out.entry_head = image::script_head(out.scan.fs, out.entrypoint.real);
  });
  return out;
}

AppAnalysis analyse_app(const ScannedStage& stage, const BuildInputs& in) {
  const image::Filesystem& fs = stage.scan.fs;
  AppAnalysis a;
  a.entrypoint = stage.entrypoint;
  a.interpreter = image::script_interpreter(stage.entry_head);
  std::string interpreter_path = a.interpreter;
  if (!a.interpreter.empty() && a.interpreter.find('/') == std::string::npos) {
    try {  // `#!/usr/bin/env python3`: the python3 along the image's PATH, links followed
      interpreter_path = image::resolve_entrypoint(fs, a.interpreter, search_path(in)).real;
    } catch (const Error&) {
    }
  } else if (!a.interpreter.empty()) {
    const auto chain = image::follow_links(fs, a.interpreter);
    if (chain.end == image::LinkChain::End::file) interpreter_path = chain.hops.back();
  }
  a.runtime = manifest::detect_runtime(a.entrypoint.real, interpreter_path);

  manifest::PlacesInput places;
  places.volumes = in.app_image.config.volumes;
  places.var_dirs = image::var_dirs(fs);
  places.choices = in.mount_choices;
  std::vector<std::string> looked_at{"/tmp", "/run", "/run/secrets"};
  looked_at.insert(looked_at.end(), places.volumes.begin(), places.volumes.end());
  looked_at.insert(looked_at.end(), places.var_dirs.begin(), places.var_dirs.end());
  for (const auto& c : places.choices) looked_at.push_back(c.path);
  for (const auto& path : looked_at) places.files_under[path] = image::count_files(fs, path);
  if (image::exists(fs, "/var/tmp")) places.files_under["/var/tmp"] = image::count_files(fs, "/var/tmp");
  a.places = manifest::plan_places(in.user_manifest, places);
  return a;
}

void report_analysis(const AppAnalysis& a, const ProgressFn& progress) {
  using Kind = ProgressEvent::Kind;
  if (a.entrypoint.chain.size() > 1)
    report(progress, Kind::info, "entry point: " + join(a.entrypoint.chain, " -> "));
  if (!a.interpreter.empty()) report(progress, Kind::info, "entry point: a script run by " + a.interpreter);
  if (!a.runtime.name.empty())
    report(progress, Kind::info, "runtime: " + a.runtime.name + (a.runtime.settings.empty() ? " (Gramine's defaults suit it)" : ""));
  report(progress, Kind::info,
         "what the app can write and read (choose with `--mount PATH=tmpfs|encrypted|allowed|trusted`, or in your "
         "manifest):");
  for (const auto& p : a.places.places)
    report(progress, p.warn ? Kind::warning : Kind::info, (p.warn ? "" : "  ") + p.line);
}

FinalManifest make_final_manifest(const ScannedStage& stage, const AppAnalysis& analysis, const BuildInputs& in,
                                  const BuildOptions& o, const ProgressFn& progress) {
  const image::Filesystem& fs = stage.scan.fs;
  FinalManifest out;
  std::vector<std::string> warnings;

  // The user's manifest first (it wins), less entries for files gsc writes later.
  toml::table table = in.user_manifest;
  for (const auto& line : manifest::drop_entries_for_later_files(table)) report(progress, ProgressEvent::Kind::info, line);

  // What the runtime needs and what containers expect, where the user (or the image's env)
  // set nothing.
  std::vector<manifest::Setting> settings;
  for (const auto& s : analysis.runtime.settings) {
    const bool image_env = s.key.rfind("loader.env.", 0) == 0 &&
                           std::any_of(in.command.env.begin(), in.command.env.end(),
                                       [&](const manifest::EnvEntry& e) { return "loader.env." + e.name == s.key; });
    if (!image_env) settings.push_back(s);
  }
  for (const auto& s : manifest::app_defaults()) settings.push_back(s);
  const manifest::Applied applied = manifest::apply_settings(table, settings, analysis.runtime.name);
  out.settings = applied.applied;
  if (in.build_type == BuildType::release && !analysis.runtime.quiet_log_reason.empty() &&
      !table["loader"]["log_level"])
    out.settings.push_back({"loader.log_level", "\"error\"", analysis.runtime.quiet_log_reason, false});
  for (const auto& s : out.settings) report(progress, ProgressEvent::Kind::info, "manifest: " + setting_line(s));
  for (const auto& w : applied.warnings) report(progress, ProgressEvent::Kind::warning, w);

  // Then the distro's entrypoint manifest and the env, by the original's merge rules.
  toml::table defaults = entrypoint_manifest(fs, analysis, in, o.templates_dir);
  manifest::merge_into(defaults, env_manifest(in), warnings);
  manifest::merge_into(table, defaults, warnings);
  for (const auto& w : warnings) report(progress, ProgressEvent::Kind::warning, w);

  // Places and name resolution.
  manifest::add_places(table, analysis.places);
  report(progress, ProgressEvent::Kind::info, "names: " + manifest::add_etc_files(table, in.etc_files));
  add_trusted_dirs(table, analysis.places.trusted_dirs);

  std::map<std::string, std::uint64_t> sizes;  // of every trusted file gsc hashed

  // Hashless trusted entries (the user's, and the directories gsc trusts), hashed from the stage.
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

  // gsc's own files that Gramine reads: trusted whatever the file check policy.
  std::vector<manifest::TrustedEntry> own;
  auto own_file = [&](const std::string& path) {
    const image::Node* node = image::resolve_node(fs, path);
    if (!node || node->type != image::Node::Type::file)
      throw Error(ErrorCategory::internal, "gsc's own file `" + path + "` is missing from the stage image.");
    own.push_back({path, node->sha256});
    sizes[path] = node->size;
  };
  if (in.etc_files.hosts) own_file(manifest::kHostsFile);
  if (in.etc_files.hostname) own_file(manifest::kHostnameFile);
  manifest::add_own_trusted_files(table, own);

  toml::table check = table;  // gramine-manifest-check sees everything but the bulk of gsc's entries
  if (manifest::allows_all_files(table)) {
    report(progress, ProgressEvent::Kind::warning,
           "`sgx.file_check_policy = \"allow_all_but_log\"`: no trusted files are listed but gsc's own. Not for "
           "production.");
  } else {
    image::TrustedFilesOptions options;
    options.already_listed = manifest::listed_paths(table);
    for (const auto& path : analysis.places.not_trusted) options.exclusions.push_back(subtree_regex(path));
    auto trusted = image::trusted_files(fs, options);
    for (const auto& note : trusted.notes) report(progress, ProgressEvent::Kind::warning, note);
    std::vector<manifest::TrustedEntry> entries;
    entries.reserve(trusted.files.size());
    for (const auto& f : trusted.files) {
      entries.push_back({f.path, f.sha256});
      sizes[f.path] = f.size;
    }
    manifest::add_trusted_files(table, entries);
    if (!entries.empty()) manifest::add_trusted_files(check, {entries.front()});
  }
  out.trusted_files = manifest::trusted_entry_count(table);
  out.bytes_hashed = stage.scan.bytes_hashed;
  out.text = manifest::to_toml_string(table);
  out.check_text = manifest::to_toml_string(check);
  for (const auto& [path, size] : sizes) out.trusted_sizes += std::to_string(size) + " " + path + "\n";
  report(progress, ProgressEvent::Kind::info,
         std::to_string(out.trusted_files) + " trusted files, " + std::to_string(stage.scan.bytes_hashed / 1000000) +
             " MB hashed, manifest " + std::to_string(out.text.size() / 1024) + " KiB");
  return out;
}

}  // namespace gsc::ops
