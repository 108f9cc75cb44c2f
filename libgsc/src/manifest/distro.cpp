// Distro names of config.yaml and of /etc/os-release, and the version rules built on them.

#include "manifest/distro.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

#include "gsc/error.hpp"

namespace gsc::manifest {
namespace {

// One value of os-release(5): unquoted, "double-quoted" (backslash escapes) or 'single-quoted'.
std::string shell_value(const std::string& raw) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    const bool escape = c == '\\' && quote != '\'' && i + 1 < raw.size();
    if (escape) out += raw[++i];
    else if (quote != 0 && c == quote) quote = 0;
    else if (quote != 0) out += c;
    else if (c == '"' || c == '\'') quote = c;
    else if (c == ' ' || c == '\t') break;
    else out += c;
  }
  return out;
}

std::string os_release_value(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    if (line.compare(start, key.size() + 1, key + "=") != 0) continue;
    found = shell_value(line.substr(start + key.size() + 1));  // the last assignment wins, as in a shell
  }
  return found;
}

std::vector<int> split_version(const std::string& version) {
  std::vector<int> parts;
  std::istringstream in(version);
  std::string part;
  while (std::getline(in, part, '.')) parts.push_back(part.empty() ? 0 : std::stoi(part));
  return parts;
}

// "15.6.1" -> "15.6" for count 2, "15" for count 1.
std::string first_components(const std::string& version, int count) {
  std::size_t end = 0;
  for (int i = 0; i < count; ++i) {
    end = version.find('.', i == 0 ? 0 : end + 1);
    if (end == std::string::npos) return version;
  }
  return version.substr(0, end);
}

Distro make(const std::string& name, const std::string& family, const std::string& version, bool minimal = false) {
  return Distro{name, family, version, split_version(version), minimal};
}

}  // namespace

const std::string& supported_distros() {
  static const std::string list =
      "`debian:11`, `debian:12`, `debian:13`, `ubuntu:20.04`, `ubuntu:22.04`, `ubuntu:24.04`, `centos:8`, "
      "`quay.io/centos/centos:stream9`, `redhat/ubi9:9.4`, `redhat/ubi9-minimal:9.4`, "
      "`registry.suse.com/suse/sle15:15.6`";
  return list;
}

Distro parse_distro(const std::string& name) {
  static const std::regex debian(R"((debian|ubuntu):([0-9]{1,4}(\.[0-9]{1,4})?))");
  static const std::regex centos_linux(R"(centos:([0-9]{1,4}(\.[0-9]{1,4})?))");
  static const std::regex centos(R"(quay\.io/centos/centos:stream([0-9]{1,4}))");
  static const std::regex ubi(R"(redhat/ubi([0-9]{1,4})(-minimal)?:(([0-9]{1,4})\.[0-9]{1,4}))");
  static const std::regex sles(R"(registry\.suse\.com/suse/sle([0-9]{1,4}):(([0-9]{1,4})\.[0-9]{1,4}))");
  std::smatch m;
  if (std::regex_match(name, m, debian)) return make(name, m[1], m[2]);
  if (std::regex_match(name, m, centos_linux)) return make(name, "centos", m[1]);
  if (std::regex_match(name, m, centos)) return make(name, "centos", m[1]);
  // The tag's major version must be the image's: `redhat/ubi9:8.10` names no image.
  if (std::regex_match(name, m, ubi) && m[1] == m[4]) return make(name, "redhat", m[3], m[2].matched);
  if (std::regex_match(name, m, sles) && m[1] == m[3]) return make(name, "suse", m[2]);
  throw Error(ErrorCategory::input,
              "`Distro: " + name + "` is not supported. Use `auto` or one of " + supported_distros() + ".");
}

Distro distro_from_os_release(const std::string& text, Microdnf microdnf) {
  const std::string id = os_release_value(text, "ID");
  const std::string version = os_release_value(text, "VERSION_ID");
  if (id.empty() || version.empty())
    throw Error(ErrorCategory::input, "The image's /etc/os-release has no `" + std::string(id.empty() ? "ID" : "VERSION_ID") +
                                          "`, so `Distro: auto` cannot tell its distro. Set `Distro` in config.yaml to one of " +
                                          supported_distros() + ".");
  const std::string major = first_components(version, 1);
  const std::string two = first_components(version, 2);
  std::string name;
  if (id == "debian" || id == "ubuntu") name = id + ":" + two;
  // As the original: CentOS Stream by its NAME, CentOS Linux (8) by ID and version.
  else if (id == "centos" && os_release_value(text, "NAME") == "CentOS Stream") name = "quay.io/centos/centos:stream" + major;
  else if (id == "centos") name = "centos:" + two;
  else if (id == "rhel") name = "redhat/ubi" + major + (microdnf == Microdnf::present ? "-minimal" : "") + ":" + two;
  else if (id == "sles") name = "registry.suse.com/suse/sle" + major + ":" + two;
  else
    throw Error(ErrorCategory::input, "The image's /etc/os-release says `ID=" + id + "` (`VERSION_ID=" + version +
                                          "`), which gsc does not know. Set `Distro` in config.yaml to one of " +
                                          supported_distros() + ".");
  try {
    return parse_distro(name);
  } catch (const Error&) {
    throw Error(ErrorCategory::input, "The image's /etc/os-release says `ID=" + id + "`, `VERSION_ID=" + version +
                                          "`, which gsc does not support. Set `Distro` in config.yaml to one of " +
                                          supported_distros() + ".");
  }
}

std::string base_image(const Distro& distro, const std::string& registry) {
  std::string prefix = registry;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix.empty() ? distro.name : prefix + "/" + distro.name;
}

int compare_versions(const std::vector<int>& a, const std::vector<int>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const int x = i < a.size() ? a[i] : 0;
    const int y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool is_at_least(const Distro& distro, const std::string& family, const std::vector<int>& minimum) {
  return distro.family == family && compare_versions(distro.version_parts, minimum) >= 0;
}

bool distro_has_recent_meson(const Distro& distro) {
  return is_at_least(distro, "debian", {12}) || is_at_least(distro, "ubuntu", {23, 4});
}

}  // namespace gsc::manifest
