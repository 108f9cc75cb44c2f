#include "ops/compile.hpp"


#include <cctype>
#include <fstream>
#include <iterator>
#include <map>

#include "docker/operation.hpp"
#include "gsc/error.hpp"
#include "gsc/version.hpp"
#include "image/scan.hpp"
#include "ops/container.hpp"
#include "ops/labels.hpp"
#include "ops/subscription.hpp"
#include "templates/render.hpp"

namespace gsc::ops {
namespace fs = std::filesystem;
namespace {

bool is_hex(const std::string& text, std::size_t min, std::size_t max) {
  return text.size() >= min && text.size() <= max &&
         text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// scheme://... or scp-like [user@]host:path (a ':' before any '/').
bool is_url(const std::string& repository) {
  if (repository.find("://") != std::string::npos) return true;
  const auto colon = repository.find(':');
  return colon != std::string::npos && colon > 0 && repository.find('/') > colon;
}

std::optional<std::string> first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// debian:12 -> debian-12; quay.io/centos/centos:stream9 -> quay-io-centos-centos-stream9.
std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// https://user:token@host/x -> https://host/x (for comments and labels; the clone needs them).
std::string without_credentials(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  const auto slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

std::map<std::string, std::string> compiled_labels(const CompileRequest& r, const GramineSource& source) {
  std::map<std::string, std::string> labels = {{label::tool, "gsc"},
                                               {label::version, GSC_VERSION_STRING},
                                               {label::distro, r.distro.name},
                                               {label::buildtype, to_string(r.build_type)},
                                               {label::linux_pal, "true"},  // always compiled with the direct PAL
                                               {label::gramine_repository, without_credentials(r.config.gramine.repository)},
                                               {label::gramine_branch, r.config.gramine.branch},
                                               {label::gramine_version, r.config.gramine.branch}};
  if (!source.commit.empty()) labels[label::gramine_commit] = source.commit;
  return labels;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

// What `git clone` needs of a repository, and nothing else: objects, refs, HEAD, and a plain
// config (the user's .git/config may hold credentials; hooks, logs and the index are theirs).
tar::Writer CompileContext::files() const {
  tar::Writer files;
  files.add_file("Dockerfile", dockerfile);
  for (const auto& [name, text] : scripts) files.add_file(name, text);
  if (git_dir.empty()) return files;
  const std::string prefix = "gramine-source";
  files.add_tree(git_dir / "objects", prefix + "/objects");
  files.add_tree(git_dir / "refs", prefix + "/refs");
  files.add_file(prefix + "/HEAD", read_file(git_dir / "HEAD"));
  for (const char* optional : {"packed-refs", "shallow"})
    if (fs::is_regular_file(git_dir / optional)) files.add_file(prefix + "/" + optional, read_file(git_dir / optional));
  // One-threaded packing: the fetch from it gives the same pack each time (see compile.steps).
  files.add_file(prefix + "/config", "[core]\n\trepositoryformatversion = 0\n\tbare = true\n[pack]\n\tthreads = 1\n");
  return files;
}

std::optional<std::string> resolve_git_ref(const fs::path& git_dir, const std::string& name) {
  if (is_hex(name, 40, 40)) return name;
  std::map<std::string, std::string> packed;  // ref -> object
  if (std::ifstream in(git_dir / "packed-refs"); in) {
    std::string last;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      if (line[0] == '^') {  // the commit an annotated tag (the line before) points to
        if (!last.empty()) packed[last] = line.substr(1);
        continue;
      }
      const auto space = line.find(' ');
      if (space == std::string::npos) continue;
      last = line.substr(space + 1);
      packed[last] = line.substr(0, space);
    }
  }
  auto lookup = [&](std::string ref) -> std::optional<std::string> {
    for (int depth = 0; depth < 10; ++depth) {
      if (ref.find("..") != std::string::npos) return std::nullopt;
      if (const auto line = first_line(git_dir / ref)) {
        if (line->rfind("ref: ", 0) == 0) {
          ref = line->substr(5);
          continue;
        }
        return is_hex(*line, 40, 64) ? line : std::nullopt;
      }
      const auto it = packed.find(ref);
      return it == packed.end() ? std::nullopt : std::optional(it->second);
    }
    return std::nullopt;
  };
  // git's order for a short name: X, refs/X, refs/tags/X, refs/heads/X, refs/remotes/X(/HEAD).
  for (const std::string& ref : {name, "refs/" + name, "refs/tags/" + name, "refs/heads/" + name,
                                 "refs/remotes/" + name, "refs/remotes/" + name + "/HEAD"}) {
    if (ref != name || name == "HEAD" || name.rfind("refs/", 0) == 0)
      if (auto object = lookup(ref)) return object;
  }
  return std::nullopt;
}

GramineSource resolve_gramine_source(const Config& config, const std::string& config_path) {
  GramineSource source;
  source.repository = config.gramine.repository;
  std::string path = config.gramine.repository;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  else if (is_url(path)) return source;

  source.local = true;
  const fs::path dir = (fs::path(path).is_absolute() ? fs::path(path) : fs::path(config.base_dir) / path).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorCategory::input, "`Gramine.Repository` in " + config_path + " is `" + config.gramine.repository +
                                          "`: not a git URL, and there is no directory " + dir.string() +
                                          ". Give a git URL or the path of a Gramine checkout.");
  if (fs::is_directory(dir / ".git", ec)) source.git_dir = dir / ".git";
  else if (fs::is_regular_file(dir / ".git", ec))
    throw Error(ErrorCategory::input, "`Gramine.Repository` " + dir.string() + " (" + config_path +
                                          ") is a git worktree or submodule (its .git is a file). Give the path "
                                          "of the main checkout.");
  else if (fs::is_regular_file(dir / "HEAD", ec) && fs::is_directory(dir / "objects", ec)) source.git_dir = dir;
  else
    throw Error(ErrorCategory::input, "`Gramine.Repository` " + dir.string() + " (" + config_path +
                                          ") is not a git repository (no .git in it). gsc builds a branch, tag or "
                                          "commit of it: commit the source with git, or give a git URL.");
  // gsc sends objects, refs and a plain config: a repository that needs more cannot travel.
  std::string config_text = read_file(source.git_dir / "config");
  for (auto& ch : config_text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (config_text.find("objectformat") != std::string::npos || config_text.find("refstorage") != std::string::npos ||
      fs::exists(source.git_dir / "objects/info/alternates", ec))
    throw Error(ErrorCategory::input, "`Gramine.Repository` " + dir.string() + " (" + config_path +
                                          ") uses git features gsc cannot send in a build context (another object "
                                          "format, reftable, or alternates). Push the branch and give its URL.");
  const auto& branch = config.gramine.branch;
  if (const auto commit = resolve_git_ref(source.git_dir, branch)) source.commit = *commit;
  else if (!is_hex(branch, 7, 39))
    throw Error(ErrorCategory::input, "`Gramine.Branch` `" + branch + "` (" + config_path +
                                          ") is not a branch, tag or commit of " + dir.string() +
                                          ". `git -C " + dir.string() + " branch` and `git -C " + dir.string() +
                                          " tag` list them.");
  return source;
}

CompileContext make_compile_context(const CompileRequest& r) {
  const Config& c = r.config;
  // Each value lands on a Dockerfile line: a line break would start an instruction of its own.
  for (const auto& [key, value] : {std::pair{"Gramine.Repository", &c.gramine.repository},
                                   std::pair{"Gramine.Branch", &c.gramine.branch},
                                   std::pair{"SGXDriver.Repository", &c.sgx_driver.repository},
                                   std::pair{"SGXDriver.Branch", &c.sgx_driver.branch}})
  {
    if (value->find_first_of("\n\r") != std::string::npos)
      throw Error(ErrorCategory::input, "`" + std::string(key) + "` in " + r.config_path +
                                            " contains a line break. Put the value on one line.");
    if (!value->empty() && value->front() == '-')  // git would take it for an option
      throw Error(ErrorCategory::input, "`" + std::string(key) + "` in " + r.config_path + " starts with `-`: `" +
                                            *value + "` is no repository, branch, tag or commit.");
  }
  const GramineSource source = resolve_gramine_source(c, r.config_path);
  const templates::DistroLayout layout = templates::layout_for(r.distro.family);
  const int major = r.distro.version_parts.empty() ? 0 : r.distro.version_parts.front();
  templates::CompileData d;
  d.base_image = manifest::base_image(r.distro, c.registry);
  d.distro = r.distro.name;
  d.version = r.distro.version;
  d.distro_meson = manifest::distro_has_recent_meson(r.distro);
  d.dcap = r.distro.family == "ubuntu";
  d.microdnf = r.distro.minimal;
  d.package_manager = r.distro.minimal ? "microdnf" : "dnf";
  d.major_version = std::to_string(major);
  // Repositories off by default that hold some of the build dependencies: CentOS's CRB
  // (PowerTools up to 8), RHEL's CodeReady Builder (with a subscription).
  if (r.distro.family == "centos") d.extra_repo = major >= 9 ? "crb" : "powertools";
  if (r.distro.family == "redhat") d.extra_repo = "codeready-builder-for-rhel-" + d.major_version + "-x86_64-rpms";
  // As the original: RHEL UBI and SLES install from repositories of this host's subscription.
  d.subscription = r.distro.family == "redhat" || r.distro.family == "suse";
  d.debug_tools = r.build_type != BuildType::release;
  const std::string shown_repository = without_credentials(c.gramine.repository);
  const std::string shown_source = shown_repository + " at " + c.gramine.branch;
  d.source_comment = shown_source + (source.local ? " (a local repository, sent in the build context)" : "");
  d.local_source = source.local;
  d.clone_source = templates::shell_quote(c.gramine.repository);
  d.branch = templates::shell_quote(c.gramine.branch);
  d.oot_driver = !c.sgx_driver.repository.empty();
  // Gramine includes <asm/sgx.h> of the in-kernel driver (Linux 5.11); Debian 11 and Ubuntu
  // 20.04 ship older kernel headers.
  d.fetch_sgx_header = !d.oot_driver && ((r.distro.family == "debian" && !manifest::is_at_least(r.distro, "debian", {12})) ||
                                         (r.distro.family == "ubuntu" && !manifest::is_at_least(r.distro, "ubuntu", {22, 4})));
  if (d.oot_driver) {
    d.driver_repository = templates::shell_quote(c.sgx_driver.repository);
    if (!c.sgx_driver.branch.empty()) d.driver_branch = templates::shell_quote(c.sgx_driver.branch);
  }
  d.buildtype = to_string(r.build_type);
  d.labels = compiled_labels(r, source);

  CompileContext out;
  out.base_image = d.base_image;
  out.distro = r.distro;
  out.source = shown_source;
  if (layout.install_script) {
    const std::string script = templates::render_install_script(r.templates_dir, layout, d);
    if (d.subscription) {
      // Named after what it is made of: the script and the base image.
      d.deps_image = "gsc-gramine-deps-" + slug(r.distro.name) + ":" +
                     image::sha256_hex(script + "\n" + d.base_image).substr(0, 16);
      out.subscribed = SubscribedDeps{script, d.deps_image, r.host_root};
    }
    out.scripts["install-deps.sh"] = script;  // -f shows it; the Dockerfile runs it unless subscribed
  }
  if (d.debug_tools)
    out.scripts["bundle-debug-tools.sh"] = templates::template_text(r.templates_dir, "common/bundle-debug-tools.sh");
  d.build_label = docker::step_label_value("compile", out.from_image());
  out.dockerfile = templates::render_compile_dockerfile(r.templates_dir, layout, d);
  std::string identity = out.dockerfile;
  for (const auto& [name, text] : out.scripts) identity += "\n" + name + "\n" + text;
  if (source.local) {
    out.git_dir = source.git_dir;
    // The commit decides what is compiled; without one (a short hash) the whole repository does.
    identity += "\n" + (source.commit.empty() ? image::sha256_hex(out.files().finish()) : source.commit);
  }
  out.key = image::sha256_hex(identity);
  if (shown_repository != c.gramine.repository)
    out.warnings.push_back("`Gramine.Repository` carries credentials: the clone step shows them in the Gramine "
                           "image's history (`docker history`). Prefer a credential helper or a local checkout.");
  return out;
}

std::string compiled_gramine_name(const manifest::Distro& distro, BuildType type, const std::string& key) {
  return "gsc-gramine-" + slug(distro.name) + "-" + to_string(type) + ":" + key.substr(0, 16);
}

std::string compile_gramine(docker::Client& client, const CompileContext& context, const std::string& tag,
                            UseCache use_cache, const std::vector<std::pair<std::string, std::string>>& build_args,
                            const ProgressFn& progress) {
  if (const auto& deps = context.subscribed; deps && (use_cache == UseCache::no || !find_image(client, deps->image))) {
    report(progress, ProgressEvent::Kind::step,
           "Installing Gramine's build dependencies with this host's subscription (kept as " + deps->image + ")");
    install_with_subscription(client, context.base_image, host_subscription(context.distro, deps->host_root),
                              deps->install_script, deps->image, progress);
  }
  const std::string from = context.from_image();
  docker::Operation* op = docker::current_operation();
  if (op) {
    op->build_root(from);
    op->step_label("compile", from);  // the value its Dockerfile labels the steps with
  }
  const std::string previous = image_id_of(client, tag);
  docker::BuildOptions build;
  build.context = context.files().finish();
  build.tags = {tag};
  build.no_cache = use_cache == UseCache::no;
  build.remove_intermediate = true;
  build.force_remove_intermediate = true;
  build.build_args = {build_args.begin(), build_args.end()};
  build.pulls = {from};  // the daemon pulls it with the registry's credentials
  std::string id;
  try {
    id = client.build(build, progress).image_id;
  } catch (const BuildError& e) {
    // (its step images: removed by the operation's cleanup)
    // The daemon could not pull Registry/Distro: say which credentials went with the build.
    if (e.step().rfind("FROM " + from + " ", 0) == 0) {
      const std::string registry = docker::registry_of(from);
      std::optional<docker::RegistryAuth> credentials;
      try {
        credentials = client.credentials(registry);
      } catch (const Error&) {  // the build went without them too
      }
      throw BuildError(e.what() + std::string(". gsc sent ") +
                           (credentials ? "the docker CLI's credentials for `" + registry + "`" +
                                              (credentials->username.empty() ? "" : " (`" + credentials->username + "`)")
                                        : "no credentials for `" + registry + "`") +
                           ": log in with `docker login " + registry + "`, or check `Registry` and `Distro`",
                       e.step(), e.output());
    }
    throw;
  }
  if (op) op->keep_image(id);  // a result: a later failure of the operation does not remove it
  remove_if_orphaned(client, previous, id);
  // The images of a stage that is not part of the result (a local source's): not kept.
  if (op) op->remove_build_leftovers(id);
  return id;
}

std::string ensure_compiled_gramine(docker::Client& client, const CompileRequest& request,
                                    const std::vector<std::pair<std::string, std::string>>& build_args,
                                    const ProgressFn& progress) {
  const CompileContext context = make_compile_context(request);
  const std::string name = compiled_gramine_name(request.distro, request.build_type, context.key);
  if (request.use_cache == UseCache::yes && find_image(client, name)) {
    report(progress, ProgressEvent::Kind::info, "Gramine: reusing " + name + ", compiled earlier from " + context.source);
    return name;
  }
  for (const auto& warning : context.warnings) report(progress, ProgressEvent::Kind::warning, warning);
  report(progress, ProgressEvent::Kind::step,
         "Compiling Gramine from " + context.source + " for " + request.distro.name +
             (request.use_cache == UseCache::no ? " (--no-cache: anew, as " + name + ")"
                                                : " (once: later builds reuse " + name + ")"));
  compile_gramine(client, context, name, request.use_cache, build_args, progress);
  return name;
}

}  // namespace gsc::ops
