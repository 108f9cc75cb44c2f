#include "templates/render.hpp"

#include <kainjow/mustache.hpp>

#include <fstream>
#include <sstream>

#include "core/embedded.hpp"
#include "gsc/error.hpp"

namespace gsc::templates {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

// How messages name a template: its file in an override directory, or the built-in one.
std::string template_label(const std::string& dir, const std::string& name) {
  return dir.empty() ? "built-in template " + name : dir + "/" + name;
}

// `dir` empty: the templates compiled into libgsc; else that directory overrides them.
std::string read_template(const std::string& dir, const std::string& name) {
  if (dir.empty()) {
    const auto& files = embedded::templates();
    const auto it = files.find(name);
    if (it == files.end())
      throw Error(ErrorCategory::internal, "gsc has no built-in template `" + name + "`. Please report this.");
    return std::string(it->second);
  }
  const std::string path = dir + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCategory::input, "The template `" + path + "` is missing from the templates directory `" + dir +
                                          "`. Copy gsc's templates/ there, or leave `templates_dir` empty for the "
                                          "templates built into gsc.");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string render(const std::string& dir, const std::string& name, const data& values) {
  mustache tmpl(read_template(dir, name));
  if (!tmpl.is_valid())
    throw Error(dir.empty() ? ErrorCategory::internal : ErrorCategory::input,
                "The template `" + template_label(dir, name) + "` is malformed: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });  // values come quoted from C++
  std::string out = tmpl.render(values);
  if (!tmpl.is_valid())
    throw Error(dir.empty() ? ErrorCategory::internal : ErrorCategory::input,
                "Rendering `" + template_label(dir, name) + "` failed: " + tmpl.error_message());
  return out;
}

data flag(bool value) { return value ? data(data::type::bool_true) : data(data::type::bool_false); }

// A mustache list of two-field items, e.g. {source, destination} or {key, value}.
template <typename Items, typename Fn>
data list_of(const Items& items, const char* first, const char* second, Fn fields) {
  data list{data::type::list};
  for (const auto& item : items) {
    const auto [a, b] = fields(item);
    data entry;
    entry.set(first, a);
    entry.set(second, b);
    list.push_back(entry);
  }
  return list;
}

}  // namespace

DistroLayout layout_for(const std::string& family) {
  if (family == "debian" || family == "ubuntu") return {"debian", "lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"};
  if (family == "centos" || family == "redhat") return {"redhat", "lib64", "/usr/lib64", true};
  if (family == "suse") return {"suse", "lib64", "/usr/lib64", true};
  throw Error(ErrorCategory::internal, "no distro layout for `" + family + "`");
}

std::string dockerfile_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '$') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

std::string label_arguments(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [key, value] : labels)
    out += (out.empty() ? "" : " ") + dockerfile_quote(key) + "=" + dockerfile_quote(value);
  return out;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

namespace {

data compile_values(const CompileData& d) {
  data v;
  v.set("base_image", d.base_image);
  v.set("distro", d.distro);
  v.set("version", d.version);
  v.set("distro_meson", flag(d.distro_meson));
  v.set("dcap", flag(d.dcap));
  v.set("microdnf", flag(d.microdnf));
  v.set("package_manager", d.package_manager);
  v.set("extra_repo", d.extra_repo);
  v.set("major_version", d.major_version);
  v.set("subscription", flag(d.subscription));
  v.set("deps_image", d.deps_image);
  v.set("debug_tools", flag(d.debug_tools));
  v.set("source_comment", d.source_comment);
  v.set("local_source", flag(d.local_source));
  v.set("clone_source", d.clone_source);
  v.set("branch", d.branch);
  v.set("fetch_sgx_header", flag(d.fetch_sgx_header));
  v.set("oot_driver", flag(d.oot_driver));
  v.set("driver_repository", d.driver_repository);
  v.set("driver_checkout", flag(!d.driver_branch.empty()));
  v.set("driver_branch", d.driver_branch);
  v.set("buildtype", d.buildtype);
  v.set("labels", label_arguments(d.labels));
  v.set("build_label", label_arguments({{"gsc.build", d.build_label}}));
  return v;
}

// Optional blocks leave blank lines where they are off: one blank line between blocks.
std::string squeeze_blank_lines(std::string text) {
  for (auto at = text.find("\n\n\n"); at != std::string::npos; at = text.find("\n\n\n", at)) text.erase(at, 1);
  return text;
}

}  // namespace

std::string render_compile_dockerfile(const std::string& dir, const DistroLayout& layout, const CompileData& d) {
  data v = compile_values(d);
  const std::string steps = read_template(dir, "common/compile.steps");
  v.set("compile_steps", kainjow::mustache::partial([steps] { return steps; }));
  const std::string name = layout.install_script ? "common/Dockerfile.compile" : layout.family_dir + "/Dockerfile.compile";
  return squeeze_blank_lines(render(dir, name, v));
}

std::string render_install_script(const std::string& dir, const DistroLayout& layout, const CompileData& d) {
  // A script without blank lines: what optional blocks leave behind goes.
  std::string text = render(dir, layout.family_dir + "/install-deps.sh", compile_values(d));
  for (auto at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n", at)) text.erase(at, 1);
  return text;
}

std::string template_text(const std::string& dir, const std::string& name) { return read_template(dir, name); }

std::string render_stage_dockerfile(const std::string& dir, const StageData& d) {
  data v;
  v.set("app_image", d.app_image);
  v.set("app_image_name", d.app_image_name);
  v.set("gramine_image", d.gramine_image);
  v.set("gramine_image_name", d.gramine_image_name);
  v.set("copy_whole_gramine", flag(d.copy_whole_gramine));
  v.set("app_files", flag(d.app_files));
  v.set("entrypoint_json", d.entrypoint_json);
  v.set("cmd_json", d.cmd_json);
  v.set("path", dockerfile_quote(d.path));
  v.set("labels", label_arguments(d.labels));
  v.set("build_label", label_arguments({{"gsc.build", d.build_label}}));
  return render(dir, "common/Dockerfile.stage", v);
}

std::string render_entrypoint_manifest(const std::string& dir, const EntrypointManifestData& d) {
  data v;
  v.set("entrypoint", d.entrypoint);
  v.set("libsysdb_uri", d.libsysdb_uri);
  v.set("libsysdb_sha256", d.libsysdb_sha256);
  v.set("log_level", d.log_level);
  v.set("ld_library_path", d.ld_library_path);
  v.set("path", d.path);
  v.set("insecure_args", flag(d.insecure_args));
  v.set("argv_in_manifest", flag(!d.trusted_argv.empty()));
  v.set("trusted_argv", d.trusted_argv);
  v.set("start_dir", d.start_dir);
  v.set("debug", d.debug);
  v.set("set_ids", flag(d.set_ids));
  v.set("uid", d.uid);
  v.set("gid", d.gid);
  return render(dir, "common/entrypoint.manifest", v);
}

std::string render_final_dockerfile(const std::string& dir, const FinalLayerData& d) {
  data v;
  v.set("stage_image", d.stage_image);
  return render(dir, "common/Dockerfile.final", v);
}

std::string render_sign_dockerfile(const std::string& dir, const SignData& d) {
  // One line each: a newline in a value must not become a Dockerfile instruction.
  auto one_line = [](std::string text) {
    for (auto& c : text)
      if (c == '\n' || c == '\r') c = ' ';
    return text;
  };
  const data args = list_of(d.args, "key", "value", [&](const auto& kv) {
    return std::pair{one_line(kv.first), one_line(kv.second)};
  });
  data v;
  v.set("unsigned_image", d.unsigned_image);
  v.set("args", args);
  v.set("labels", label_arguments(d.labels));
  return render(dir, "common/Dockerfile.sign", v);
}

}  // namespace gsc::templates
