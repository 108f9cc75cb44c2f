#include "manifest/app.hpp"

#include <regex>
#include <sstream>

#include "gsc/error.hpp"

namespace gsc::manifest {

std::string serialize_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    out += arg;
    out.push_back('\0');
  }
  return out;
}

AppCommand app_command(const ImageCommandInput& in) {
  AppCommand out;
  const std::vector<std::string> entrypoint = in.entrypoint.value_or(std::vector<std::string>{});
  const std::vector<std::string> cmd = in.cmd.value_or(std::vector<std::string>{});
  out.argv = entrypoint;
  out.argv.insert(out.argv.end(), cmd.begin(), cmd.end());
  if (out.argv.empty() || out.argv.front().empty())
    throw Error(ErrorCategory::input,
                "cannot find the entrypoint binary: the image sets neither ENTRYPOINT nor CMD. Set one in its Dockerfile.");

  out.working_dir = in.working_dir.empty() ? "/" : in.working_dir;
  if (out.working_dir.back() != '/') out.working_dir += '/';
  out.user = in.user.empty() ? "root" : in.user;

  // Docker's meaning: ENTRYPOINT then CMD. The binary is argv[0]; its arguments are the rest of
  // ENTRYPOINT (or of CMD when there is no ENTRYPOINT), then CMD.
  out.binary = out.argv.front();
  if (out.binary.front() != '/' && out.binary.find('/') != std::string::npos) out.binary = out.working_dir + out.binary;
  out.binary_basename = out.binary.substr(out.binary.rfind('/') + 1);
  if (!entrypoint.empty()) {
    out.binary_arguments.assign(entrypoint.begin() + 1, entrypoint.end());
    out.cmd = cmd;
  } else {
    out.cmd.assign(cmd.begin() + 1, cmd.end());
  }
  std::vector<std::string> trusted{"/gramine/app_files/" + out.binary_basename};
  trusted.insert(trusted.end(), out.argv.begin() + 1, out.argv.end());
  out.trusted_argv = serialize_argv(trusted);

  for (const auto& item : in.env) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (name.empty()) continue;
    if (value.find('\n') != std::string::npos) {
      out.notes.push_back("The value of env `" + name +
                          "` has a newline, which a Gramine manifest cannot carry: it is left out. Set it in your "
                          "manifest as `loader.env." + name + "` if the app needs it.");
      continue;
    }
    if (name == "PATH") out.path = value;
    out.env.push_back({name, value});
  }
  return out;
}

namespace {

std::string os_release_value(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string value = line.substr(key.size() + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return "";
}

std::string two_components(const std::string& version) {
  const auto first = version.find('.');
  if (first == std::string::npos) return version;
  const auto second = version.find('.', first + 1);
  return second == std::string::npos ? version : version.substr(0, second);
}

const char* kSupported =
    "`debian:11`, `debian:12`, `debian:13`, `ubuntu:20.04`, `ubuntu:22.04`, `ubuntu:24.04`, "
    "`quay.io/centos/centos:stream9`, `redhat/ubi9:X.Y`, `redhat/ubi9-minimal:X.Y`, "
    "`registry.suse.com/suse/sle15:15.X`";

}  // namespace

Distro parse_distro(const std::string& name) {
  Distro d;
  d.name = name;
  std::smatch m;
  if (std::regex_match(name, m, std::regex(R"((debian|ubuntu):([0-9][0-9.]*))"))) {
    d.family = m[1];
    d.version = m[2];
  } else if (std::regex_match(name, m, std::regex(R"(quay\.io/centos/centos:stream([0-9]+))"))) {
    d.family = "centos";
    d.version = m[1];
  } else if (std::regex_match(name, m, std::regex(R"(redhat/ubi([0-9]+)(-minimal)?:([0-9.]+))"))) {
    d.family = "redhat";
    d.version = m[3];
    d.minimal = m[2].matched;
  } else if (std::regex_match(name, m, std::regex(R"(registry\.suse\.com/suse/sle([0-9]+):([0-9.]+))"))) {
    d.family = "suse";
    d.version = m[2];
  } else {
    throw Error(ErrorCategory::input, "`Distro: " + name + "` is not supported. Use `auto` or one of " + kSupported + ".");
  }
  return d;
}

Distro distro_from_os_release(const std::string& text) {
  const std::string id = os_release_value(text, "ID");
  const std::string version = two_components(os_release_value(text, "VERSION_ID"));
  if (id == "debian" || id == "ubuntu") return parse_distro(id + ":" + version);
  if (id == "centos") return parse_distro("quay.io/centos/centos:stream" + version.substr(0, version.find('.')));
  if (id == "rhel") return parse_distro("redhat/ubi" + version.substr(0, version.find('.')) + ":" + version);
  if (id == "sles" || id == "sled") return parse_distro("registry.suse.com/suse/sle" + version.substr(0, version.find('.')) + ":" + version);
  throw Error(ErrorCategory::input, "The image's /etc/os-release says `ID=" + id +
                                        "`, which gsc cannot graminize automatically. Set `Distro` in config.yaml to one of " +
                                        kSupported + ".");
}

bool distro_has_recent_meson(const Distro& d) {
  auto number = [](const std::string& v) { return std::atof(v.c_str()); };
  if (d.family == "debian") return number(d.version) >= 12;
  if (d.family == "ubuntu") return number(d.version) >= 23.04 - 1e-9;
  return false;
}

}  // namespace gsc::manifest
