#include "ops/subscription.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <set>

#include "gsc/error.hpp"
#include "ops/container.hpp"
#include "ops/pull.hpp"
#include "templates/render.hpp"

namespace gsc::ops {
namespace fs = std::filesystem;
namespace {

constexpr const char* kInstallDir = "/run/gsc-install";

std::optional<std::string> read_host_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

fs::path under(const std::string& host_root, const std::string& path) {
  return fs::path(host_root) / fs::path(path).relative_path();
}

// The value of the first uncommented `key = value` line of a yum .repo file.
std::string repo_value(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, key.size(), key) != 0) continue;
    auto rest = line.find_first_not_of(" \t", start + key.size());
    if (rest == std::string::npos || line[rest] != '=') continue;
    rest = line.find_first_not_of(" \t", rest + 1);
    if (rest == std::string::npos) return "";
    const auto end = line.find_first_of(" \t\r", rest);
    return line.substr(rest, end == std::string::npos ? std::string::npos : end - rest);
  }
  return "";
}

Subscription rhel_subscription(const manifest::Distro& distro, const std::string& root) {
  const std::string major = std::to_string(distro.version_parts.empty() ? 0 : distro.version_parts.front());
  const std::string repo_path = "/etc/yum.repos.d/redhat.repo";
  const std::string register_fix = "Register and subscribe this host to the Red Hat Customer Portal "
                                   "(`subscription-manager register`): compiling Gramine on `" + distro.name +
                                   "` installs from its repositories.";
  const auto repo = read_host_file(under(root, repo_path));
  if (!repo) throw Error(ErrorCategory::input, "Cannot find `" + repo_path + "` on this host. " + register_fix);
  const std::string baseos = "rhel-" + major + "-for-x86_64-baseos-rpms";
  if (repo->find(baseos) == std::string::npos)
    throw Error(ErrorCategory::input, "`" + repo_path + "` on this host has no `" + baseos + "`. " + register_fix);
  const std::string client_key = repo_value(*repo, "sslclientkey");
  const std::string ca = repo_value(*repo, "sslcacert");
  if (client_key.empty() || ca.empty() || client_key.front() != '/' || ca.front() != '/')
    throw Error(ErrorCategory::input, "`" + repo_path + "` on this host names no `" +
                                          std::string(client_key.empty() ? "sslclientkey" : "sslcacert") + "`. " +
                                          register_fix);
  Subscription s;
  s.files.push_back({repo_path, *repo});  // no secret; the install script removes it
  // The entitlement certificates and keys: every file of sslclientkey's directory.
  const fs::path entitlement = fs::path(client_key).parent_path();
  std::error_code ec;
  std::vector<fs::path> pems;
  for (const auto& entry : fs::directory_iterator(under(root, entitlement.string()), ec))
    if (entry.is_regular_file()) pems.push_back(entry.path());
  std::sort(pems.begin(), pems.end());
  if (pems.empty())
    throw Error(ErrorCategory::input, "Cannot read the entitlement certificates in `" + entitlement.string() +
                                          "` on this host (gsc must run as root to read them). " + register_fix);
  for (const auto& pem : pems)
    s.files.push_back({(entitlement / pem.filename()).string(), read_host_file(pem).value_or("")});
  const auto ca_text = read_host_file(under(root, ca));
  if (!ca_text) throw Error(ErrorCategory::input, "Cannot read `" + ca + "` (sslcacert of " + repo_path + ") on this host. " + register_fix);
  s.files.push_back({ca, *ca_text});
  s.tmpfs = {entitlement.string()};
  if (fs::path(ca).parent_path() != entitlement) s.tmpfs.push_back(fs::path(ca).parent_path().string());
  return s;
}

Subscription sles_subscription(const manifest::Distro& distro, const std::string& root) {
  const std::string path = "/etc/zypp/credentials.d/SCCcredentials";
  const auto credentials = read_host_file(under(root, path));
  if (!credentials)
    throw Error(ErrorCategory::input, "Cannot find your SUSE Customer Center credentials `" + path +
                                          "` on this host. Register this host with SUSE Customer Center "
                                          "(`SUSEConnect -r CODE`): compiling Gramine on `" + distro.name +
                                          "` installs from its modules.");
  return Subscription{{{path, *credentials}}, {"/etc/zypp/credentials.d"}};
}

bool has_line(const std::string& text, const std::string& line) {
  std::size_t at = 0;
  while ((at = text.find(line, at)) != std::string::npos) {
    const bool starts = at == 0 || text[at - 1] == '\n';
    const std::size_t end = at + line.size();
    if (starts && (end == text.size() || text[end] == '\n' || text[end] == '\r')) return true;
    at = end;
  }
  return false;
}

// `cat > PATH <<'DELIMITER'` ... with a delimiter that is no line of the content.
std::string here_document(const std::string& path, const std::string& content) {
  std::string delimiter = "GSC_END_OF_FILE";
  for (int n = 1; has_line(content, delimiter); ++n) delimiter = "GSC_END_OF_FILE_" + std::to_string(n);
  std::string text = "cat > " + templates::shell_quote(path) + " <<'" + delimiter + "'\n" + content;
  if (!content.empty() && content.back() != '\n') text += '\n';
  return text + delimiter + "\n";
}

// Reports whole lines as they come; keeps the last ones for an error.
class LineReporter {
 public:
  explicit LineReporter(const ProgressFn& progress) : progress_(progress) {}
  void add(std::string& text) {
    partial_ += text;
    text.clear();
    for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n')) {
      line(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
  }
  void finish() {
    if (!partial_.empty()) line(partial_);
    partial_.clear();
  }
  std::string tail() const {
    std::string out;
    for (const auto& l : last_) out += l + "\n";
    return out;
  }

 private:
  void line(std::string l) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    report(progress_, ProgressEvent::Kind::build_output, l);
    last_.push_back(l);
    if (last_.size() > 40) last_.pop_front();
  }
  const ProgressFn& progress_;
  std::string partial_;
  std::deque<std::string> last_;
};

}  // namespace

Subscription host_subscription(const manifest::Distro& distro, const std::string& host_root) {
  if (distro.family == "redhat") return rhel_subscription(distro, host_root);
  if (distro.family == "suse") return sles_subscription(distro, host_root);
  throw Error(ErrorCategory::internal, "no subscription for `" + distro.name + "`");
}

std::string subscribed_stdin(const Subscription& subscription, const std::string& install_script) {
  // Everything is read from stdin before anything runs: the install's programs could read
  // stdin themselves.
  std::string text = "set -eu\numask 077\n";
  std::set<std::string> dirs{kInstallDir};
  for (const auto& file : subscription.files) dirs.insert(fs::path(file.path).parent_path().string());
  for (const auto& dir : dirs) text += "mkdir -p " + templates::shell_quote(dir) + "\n";
  for (const auto& file : subscription.files) text += here_document(file.path, file.content);
  text += "umask 022\n";
  text += here_document(std::string(kInstallDir) + "/install-deps.sh", install_script);
  return text + "exec sh " + std::string(kInstallDir) + "/install-deps.sh </dev/null\n";
}

std::string install_with_subscription(docker::Client& client, const std::string& base_image,
                                      const Subscription& subscription, const std::string& install_script,
                                      const std::string& tag, const ProgressFn& progress) {
  const auto base = find_or_pull_image(client, base_image, progress);
  if (!base) throw Error(ErrorCategory::not_found, "Cannot find image `" + base_image + "`.");
  docker::ContainerCreateOptions create;
  create.image = base->id;
  create.entrypoint = std::vector<std::string>{"/bin/sh", "-s"};
  create.cmd = std::vector<std::string>{};
  create.user = "0";
  create.open_stdin = true;
  for (const auto& dir : subscription.tmpfs) create.tmpfs[dir] = "mode=0700";
  create.tmpfs[kInstallDir] = "mode=0755";
  EphemeralContainer container(client, create);

  auto streams = client.attach_container(container.id());
  client.start_container(container.id());
  streams->write(subscribed_stdin(subscription, install_script));
  streams->close_stdin();
  LineReporter lines(progress);
  std::string out, err;
  while (streams->read(out, err)) {
    lines.add(out);
    lines.add(err);
  }
  lines.finish();
  const int status = client.wait_container(container.id()).exit_code;
  if (status != 0)
    throw BuildError("the install of Gramine's build dependencies with this host's subscription exited with " +
                         std::to_string(status),
                     "install-deps.sh in a container of " + base_image, lines.tail());

  const std::string previous = image_id_of(client, tag);
  docker::ContainerCommitOptions commit;
  commit.container = container.id();
  commit.comment = "gsc: Gramine's build dependencies on " + base_image + " (this host's subscription is in no layer)";
  commit.config = base->config;
  OwnedImage image(client, client.commit_container(commit).image_id);
  const auto colon = tag.rfind(':');
  client.tag_image(image.id(), tag.substr(0, colon), tag.substr(colon + 1));
  image.keep();
  remove_if_orphaned(client, previous, image.id());
  return image.id();
}

}  // namespace gsc::ops
