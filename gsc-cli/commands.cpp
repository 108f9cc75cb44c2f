#include "commands.hpp"

#include <boost/program_options.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "gsc/sigstruct.hpp"
#include "gsc/version.hpp"
#include "cli_support.hpp"
#include "output.hpp"
#include "passphrase.hpp"

namespace po = boost::program_options;

namespace gsc::cli {

std::atomic<bool> operation_running{false};

std::stop_source& stop_source() {
  static std::stop_source source;
  return source;
}

namespace {

// Runs one libgsc operation with the CLI's progress and stop token.
template <typename Fn>
auto operation(const ProgressFn& progress, Fn&& fn) {
  struct Running {
    Running() { operation_running = true; }
    ~Running() { operation_running = false; }
  } running;
  return fn(OperationContext{progress, stop_source().get_token()});
}

struct Parsed {
  po::variables_map vm;
  bool help = false;
};

// Parses args against the options and positionals of one command; `--help` short-circuits.
Parsed parse(const std::vector<std::string>& args, po::options_description& options,
             const std::vector<std::string>& positionals, const std::string& synopsis) {
  options.add_options()("help,h", "show this help");
  po::positional_options_description pos;
  po::options_description hidden;
  for (const auto& name : positionals) {
    hidden.add_options()(name.c_str(), po::value<std::string>()->required());
    pos.add(name.c_str(), 1);
  }
  po::options_description all;
  all.add(options).add(hidden);
  Parsed parsed;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), parsed.vm);
  if (parsed.vm.count("help")) {
    std::cout << "usage: " << synopsis << "\n\n" << options << '\n';
    parsed.help = true;
    return parsed;
  }
  for (const auto& name : positionals)
    if (!parsed.vm.count(name)) {
      std::string upper = name;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      throw po::error("missing " + upper + " (usage: " + synopsis + ")");
    }
  po::notify(parsed.vm);
  return parsed;
}

std::vector<std::pair<std::string, std::string>> build_args_of(const po::variables_map& vm) {
  std::vector<std::pair<std::string, std::string>> out;
  if (vm.count("build-arg"))
    for (const auto& arg : vm["build-arg"].as<std::vector<std::string>>()) out.push_back(parse_build_arg(arg));
  return out;
}

BuildType build_type_of(const po::variables_map& vm) {
  if (vm.count("debug")) {
    std::cerr << "gsc: warning: `-d/--debug` is deprecated; use `--buildtype debug`\n";
    return BuildType::debug;
  }
  return parse_build_type(vm["buildtype"].as<std::string>());
}

// `l_help`: what -L means for the command.
void add_gramine_build_flags(po::options_description& o, const char* l_help) {
  o.add_options()
    ("buildtype,b", po::value<std::string>()->default_value("release"), "release, debug or debugoptimized")
    ("debug,d", "deprecated alias of `--buildtype debug`")
    (",L", l_help)
    ("no-cache", "build without Docker's cache (alias: -nc)")
    ("rm", "accepted for compatibility: intermediate containers are always removed")
    ("build-arg", po::value<std::vector<std::string>>()->composing(), "K=V, or K to take the value from the environment")
    ("config,c", po::value<std::string>()->default_value("config.yaml"), "configuration file (alias: --config_file)");
}

int cmd_build(const std::vector<std::string>& args) {
  po::options_description o("gsc build options");
  add_gramine_build_flags(o, "also use Gramine's Linux (direct) PAL");
  o.add_options()
    ("insecure-args", "let `docker run` arguments reach the app (untrusted)")
    ("mount", po::value<std::vector<std::string>>()->composing(),
     "PATH=tmpfs|encrypted[:KEY]|allowed|trusted: how the app reaches PATH (a VOLUME, /run/secrets, ...; repeatable)")
    ("rebuild", "build even when gsc-IMAGE exists (then sign it again)");
  add_output_flags(o);
  auto p = parse(args, o, {"image", "manifest"}, "gsc build [OPTIONS] IMAGE MANIFEST");
  if (p.help) return 0;
  const auto& vm = p.vm;
  BuildOptions opts;
  opts.image = vm["image"].as<std::string>();
  opts.manifest_path = vm["manifest"].as<std::string>();
  opts.config_path = vm["config"].as<std::string>();
  opts.templates_dir = templates_dir();
  opts.build_type = build_type_of(vm);
  opts.linux_pal = vm.count("-L") ? LinuxPal::yes : LinuxPal::no;
  opts.insecure_args = vm.count("insecure-args") ? InsecureArgs::yes : InsecureArgs::no;
  opts.use_cache = vm.count("no-cache") ? UseCache::no : UseCache::yes;
  opts.build_args = build_args_of(vm);
  if (vm.count("mount")) opts.mounts = vm["mount"].as<std::vector<std::string>>();
  opts.existing_signed = vm.count("rebuild") ? ExistingSigned::rebuild : ExistingSigned::reuse;
  Output out(vm);
  auto client = docker::Client::from_environment();
  auto result = operation(out.progress(), [&](const OperationContext& ctx) { return build(client, opts, ctx); });
  out.print_build(result);
  return 0;
}

int cmd_sign(const std::vector<std::string>& args) {
  po::options_description o("gsc sign-image options");
  o.add_options()
    ("config,c", po::value<std::string>()->default_value("config.yaml"), "configuration file (alias: --config_file)")
    ("define,D", po::value<std::vector<std::string>>()->composing(), "k=v sign-time variable (repeatable)")
    ("remove-gramine-deps", "remove what the image does not need at run time")
    ("no-remove-gramine-deps", "keep everything (default)")
    ("date", po::value<std::string>(), "SIGSTRUCT date, YYYY-MM-DD (default: today)")
    ("export-signing-data", po::value<std::string>(), "two-step signing: write the bytes to sign to FILE and stop")
    ("import-signature", po::value<std::string>(), "two-step signing: complete the image with this signature (KEY-FILE is then the public key)");
  add_passphrase_flags(o);
  add_output_flags(o);
  auto p = parse(args, o, {"image", "key"}, "gsc sign-image [OPTIONS] IMAGE KEY-FILE");
  if (p.help) return 0;
  const auto& vm = p.vm;
  SignOptions opts;
  opts.image = vm["image"].as<std::string>();
  opts.key_path = vm["key"].as<std::string>();
  opts.config_path = vm["config"].as<std::string>();
  opts.templates_dir = templates_dir();
  if (!vm.count("export-signing-data") && !vm.count("import-signature")) opts.passphrase = passphrase_from(vm, opts.key_path);
  if (vm.count("define")) {
    for (const auto& d : vm["define"].as<std::vector<std::string>>()) {
      const auto eq = d.find('=');
      if (eq == std::string::npos)
        throw Error(ErrorCategory::invalid_argument, "`-D " + d + "` has no value. Write it as `-D key=value`.");
      opts.defines.emplace_back(d.substr(0, eq), d.substr(eq + 1));
    }
  }
  for (const auto& [k, v] : opts.defines)
    if (k == "remove_gramine_deps") opts.remove_gramine_deps = (v == "true" || v == "1");
  if (vm.count("remove-gramine-deps")) opts.remove_gramine_deps = true;
  if (vm.count("no-remove-gramine-deps")) opts.remove_gramine_deps = false;
  if (vm.count("date")) opts.date = vm["date"].as<std::string>();
  if (vm.count("export-signing-data")) opts.export_signing_data_path = vm["export-signing-data"].as<std::string>();
  if (vm.count("import-signature")) opts.import_signature_path = vm["import-signature"].as<std::string>();
  Output out(vm);
  auto client = docker::Client::from_environment();
  auto result = operation(out.progress(), [&](const OperationContext& ctx) { return sign_image(client, opts, ctx); });
  out.print_sign(result, opts);
  return 0;
}

int cmd_build_gramine(const std::vector<std::string>& args) {
  po::options_description o("gsc build-gramine options");
  add_gramine_build_flags(o, "accepted for compatibility: Gramine is always compiled with its direct PAL");
  o.add_options()("file-only,f", "write the Dockerfile and its build context, build nothing")
                 ("output-dir", po::value<std::string>(), "where -f writes them: a new directory (default ./gsc-build-gramine); implies -f");
  add_output_flags(o);
  auto p = parse(args, o, {"image"}, "gsc build-gramine [OPTIONS] IMAGE");
  if (p.help) return 0;
  const auto& vm = p.vm;
  BuildGramineOptions opts;
  opts.image = vm["image"].as<std::string>();
  opts.config_path = vm["config"].as<std::string>();
  opts.templates_dir = templates_dir();
  opts.build_type = build_type_of(vm);
  opts.linux_pal = vm.count("-L") ? LinuxPal::yes : LinuxPal::no;
  opts.use_cache = vm.count("no-cache") ? UseCache::no : UseCache::yes;
  opts.build_args = build_args_of(vm);
  if (vm.count("output-dir")) opts.file_only_dir = vm["output-dir"].as<std::string>();
  else if (vm.count("file-only")) opts.file_only_dir = "gsc-build-gramine";
  Output out(vm);
  auto client = docker::Client::from_environment();
  auto result =
      operation(out.progress(), [&](const OperationContext& ctx) { return build_gramine(client, opts, ctx); });
  out.print_build_gramine(result);
  return 0;
}

int cmd_info(const std::vector<std::string>& args) {
  po::options_description o("gsc info-image options");
  add_output_flags(o);
  auto p = parse(args, o, {"image"}, "gsc info-image [--format toml|json] IMAGE");
  if (p.help) return 0;
  Output out(p.vm, Output::Default::toml);
  auto client = docker::Client::from_environment();
  out.print_info(operation({}, [&](const OperationContext& ctx) {
    return info_image(client, p.vm["image"].as<std::string>(), ctx);
  }));
  return 0;
}

// Exit status as diff(1): 0 same measurement inputs, 1 different, 2 trouble.
int cmd_diff(const std::vector<std::string>& args) {
  po::options_description o("gsc diff-image options");
  o.add_options()("format", po::value<std::string>()->default_value("text"), "text or json")
                 ("all", "list every entry of each group (text shows the first 20)");
  auto p = parse(args, o, {"image-a", "image-b"}, "gsc diff-image [--format text|json] [--all] IMAGE-A IMAGE-B");
  if (p.help) return 0;
  const std::string format = p.vm["format"].as<std::string>();
  if (format != "text" && format != "json")
    throw Error(ErrorCategory::invalid_argument, "unknown `--format " + format + "`. Use `text` or `json`.");
  try {
    auto client = docker::Client::from_environment();
    const auto r = operation({}, [&](const OperationContext& ctx) {
      return diff_images(client, p.vm["image-a"].as<std::string>(), p.vm["image-b"].as<std::string>(), ctx);
    });
    std::cout << (format == "json" ? format_diff_json(r.diff, r.a, r.b)
                                   : format_diff_text(r.diff, r.a, r.b, p.vm.count("all") ? 0 : 20));
    return r.diff.same_measurement ? 0 : 1;
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::cancelled) throw;
    std::cerr << "gsc: error: " << e.what() << '\n';
    return 2;
  }
}

// Exit status as diff-image: 0 the contents give the signed measurement, 1 they do not, 2 trouble.
int cmd_verify(const std::vector<std::string>& args) {
  po::options_description o("gsc verify-image options");
  o.add_options()("format", po::value<std::string>()->default_value("text"), "text or json")
                 ("no-cache", "hash the image's files again even if gsc scanned this image before");
  auto p = parse(args, o, {"image"}, "gsc verify-image [--format text|json] [--no-cache] IMAGE");
  if (p.help) return 0;
  const std::string format = p.vm["format"].as<std::string>();
  if (format != "text" && format != "json")
    throw Error(ErrorCategory::invalid_argument, "unknown `--format " + format + "`. Use `text` or `json`.");
  try {
    auto client = docker::Client::from_environment();
    VerifyOptions opts;
    opts.image = p.vm["image"].as<std::string>();
    opts.use_cache = p.vm.count("no-cache") ? UseCache::no : UseCache::yes;
    const auto r = operation(format == "json" ? ProgressFn{} : stderr_progress(),
                             [&](const OperationContext& ctx) { return verify_image(client, opts, ctx); });
    std::cout << (format == "json" ? format_verify_json(r) : format_verify_text(r));
    return r.match ? 0 : 1;
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::cancelled) throw;
    std::cerr << "gsc: error: " << e.what() << '\n';
    return 2;
  }
}

int cmd_prune(const std::vector<std::string>& args) {
  po::options_description o("gsc prune options");
  o.add_options()("dry-run,n", "list what would be removed, remove nothing");
  auto p = parse(args, o, {}, "gsc prune [--dry-run]");
  if (p.help) return 0;
  auto client = docker::Client::from_environment();
  const bool dry_run = p.vm.count("dry-run") > 0;
  const auto r = operation({}, [&](const OperationContext& ctx) { return prune(client, {.dry_run = dry_run}, ctx); });
  const char* verb = dry_run ? "Would remove" : "Removed";
  for (const auto& id : r.containers) std::cout << verb << " container " << id.substr(0, 12) << '\n';
  for (const auto& reference : r.images) std::cout << verb << " image " << reference << '\n';
  for (const auto& line : r.skipped) std::cout << "Kept " << line << '\n';
  std::cout << verb << " " << r.containers.size() << " container(s) and " << r.images.size()
            << " image(s) left by gsc processes that no longer run.\n";
  return 0;
}

int cmd_version(const std::vector<std::string>& args) {
  po::options_description o("gsc version options");
  auto p = parse(args, o, {}, "gsc version");
  if (p.help) return 0;
  std::cout << "gsc " << gsc::version() << '\n';
  auto client = docker::Client::from_environment();
  const auto v = client.version();
  std::cout << "Docker daemon " << v.version << " (API " << client.api_version() << ", " << v.os << "/"
            << v.arch << ")\n";
  return 0;
}

}  // namespace

std::string templates_dir() {
  if (const char* env = std::getenv("GSC_TEMPLATES_DIR"); env && *env) return env;
  return "";  // the templates built into libgsc
}

int run_command(const std::string& command, const std::vector<std::string>& args) {
  static const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands = {
      {"build", cmd_build},         {"sign-image", cmd_sign}, {"build-gramine", cmd_build_gramine},
      {"info-image", cmd_info},     {"diff-image", cmd_diff},   {"verify-image", cmd_verify},
      {"prune", cmd_prune},         {"version", cmd_version}};
  const auto it = commands.find(command);
  if (it == commands.end())
    throw Error(ErrorCategory::invalid_argument, "unknown command `" + command + "`. Run `gsc --help` for the list.");
  return it->second(args);
}

}  // namespace gsc::cli
