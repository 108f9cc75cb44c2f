// Where the app reads and writes: gsc's defaults, the user's choices, the report.
//
// Defaults, and why (Gramine's examples do the same: lighttpd mounts a tmpfs where it writes,
// nginx allows its logs, python mounts a fixed hosts file):
// - /tmp, /var/tmp, /run: in-enclave tmpfs. Scratch space and pid files; nothing of the host's.
// - the app's directories under /var, which the trusted-file walk excludes: what the image ships
//   there for the app to read (/var/www/html) becomes trusted; log directories and empty state
//   directories become tmpfs, so the app starts.
// - VOLUMEs and /run/secrets hold host data at run time: nothing unless the user chooses, since
//   trusting or allowing host data silently would let the host feed the app.

#include "manifest/places.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

namespace gsc::manifest {
namespace {

constexpr const char* kSecrets = "/run/secrets";

bool is_under(const std::string& path, const std::string& root) {
  return path == root || root == "/" || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                                         path[root.size()] == '/');
}

std::size_t depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

// A path as it may be printed: the image's config controls VOLUME paths, so control characters
// (a newline, a terminal escape) are shown as \xNN, never written out.
std::string printable(const std::string& path) {
  std::string out;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// Package managers' and the base system's own directories under /var: not the app's.
bool is_system_var_dir(const std::string& path) {
  static const std::set<std::string> system{
      "/var/lib/apt", "/var/lib/dpkg", "/var/lib/misc", "/var/lib/pam", "/var/lib/systemd", "/var/lib/ucf",
      "/var/lib/python", "/var/lib/dbus", "/var/lib/polkit-1", "/var/lib/sgml-base", "/var/lib/xml-core",
      "/var/lib/rpm", "/var/lib/rpm-state", "/var/lib/dnf", "/var/lib/yum", "/var/lib/zypp",
      "/var/lib/alternatives", "/var/lib/selinux", "/var/lib/logrotate", "/var/lib/initramfs-tools",
      "/var/lib/usrmerge", "/var/lib/dhcp", "/var/lib/update-rc.d", "/var/lib/emacsen-common",
      "/var/lib/dictionaries-common", "/var/lib/ca-certificates-java", "/var/lib/ca-certificates",
      "/var/lib/authselect", "/var/lib/private", "/var/lib/sudo", "/var/lib/man-db", "/var/lib/locales",
      "/var/lib/fontconfig", "/var/lib/games", "/var/lib/machines", "/var/lib/portables", "/var/lib/os-prober",
      "/var/lib/texmf", "/var/lib/swcatalog", "/var/lib/vim", "/var/lib/shells.state",
      "/var/log/apt", "/var/log/journal", "/var/log/private", "/var/log/installer", "/var/log/anaconda",
      "/var/log/rhsm", "/var/log/zypp", "/var/log/YaST2", "/var/log/audit", "/var/log/unattended-upgrades",
      "/var/cache/apt", "/var/cache/debconf", "/var/cache/ldconfig", "/var/cache/adduser", "/var/cache/man",
      "/var/cache/fontconfig", "/var/cache/dnf", "/var/cache/yum", "/var/cache/zypp", "/var/cache/private",
      "/var/cache/app-info", "/var/cache/PackageKit", "/var/cache/swcatalog",
      "/var/spool/mail", "/var/spool/cron", "/var/spool/anacron", "/var/spool/rsyslog"};
  return system.count(path) > 0;
}

// How the user's manifest handles a path: its own entry there or (mounts, allowed files) above.
struct UserEntry {
  std::string path;
  Access access = Access::none;
  std::string text;  // for messages: "an fs.mounts entry (tmpfs)"
  bool covers_below = true;
};

std::vector<UserEntry> user_entries(const toml::table& m) {
  std::vector<UserEntry> out;
  if (const auto* mounts = m["fs"]["mounts"].as_array())
    for (const auto& node : *mounts)
      if (const auto* t = node.as_table())
        if (const auto path = (*t)["path"].value<std::string>()) {
          const std::string type = (*t)["type"].value_or(std::string("chroot"));
          const Access access = type == "tmpfs" ? Access::tmpfs : type == "encrypted" ? Access::encrypted : Access::none;
          out.push_back({without_trailing_slash(*path), access, "its fs.mounts entry of type " + type, true});
        }
  auto uris = [&](const char* list, Access access, bool covers_below) {
    if (const auto* array = m["sgx"][list].as_array())
      for (const auto& node : *array) {
        std::optional<std::string> uri = node.value<std::string>();
        if (const auto* t = node.as_table()) uri = (*t)["uri"].value<std::string>();
        if (uri && uri->rfind("file:", 0) == 0)
          out.push_back({without_trailing_slash(uri->substr(5)), access, std::string("its sgx.") + list + " entry",
                         covers_below});
      }
  };
  uris("allowed_files", Access::allowed, true);
  uris("trusted_files", Access::trusted, false);
  uris("protected_files", Access::encrypted, true);
  return out;
}

// The user's entry deciding `path`: exact first, else the deepest one above it.
std::optional<UserEntry> user_entry_for(const std::vector<UserEntry>& entries, const std::string& path) {
  std::optional<UserEntry> best;
  for (const auto& e : entries) {
    if (e.path == path) return e;
    if (e.covers_below && is_under(path, e.path) && (!best || e.path.size() > best->path.size())) best = e;
  }
  return best;
}

const char* what_of(Place::Kind kind) {
  switch (kind) {
    case Place::Kind::scratch: return "scratch";
    case Place::Kind::run_time_files: return "run-time files";
    case Place::Kind::volume: return "VOLUME";
    case Place::Kind::secrets: return "Docker secrets";
    case Place::Kind::app_logs: return "the app's logs";
    case Place::Kind::app_files: return "the app's files";
    case Place::Kind::chosen: return "your choice";
  }
  return "";
}

std::string files_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " file" : " files"); }

std::string choice_text(const Place& p) {
  switch (p.access) {
    case Access::tmpfs: return "in-enclave tmpfs";
    case Access::encrypted: return "Gramine encrypted files on the host, key `" + p.key_name + "`";
    case Access::allowed: return "plain host files (allowed: the host can read and change them)";
    case Access::trusted: return "trusted, read-only (" + files_text(p.image_files) + " of the image)";
    case Access::none: return "nothing added";
  }
  return "";
}

// The report line of a place.
std::string line_of(const Place& p) {
  using Kind = Place::Kind;
  const std::string path = printable(p.path);
  const std::string name = (p.kind == Kind::volume ? "VOLUME " : "") + path;
  const std::string other = "`--mount " + path + "=tmpfs|encrypted|allowed`";
  if (p.source == Place::Source::command_line) return name + ": " + choice_text(p) + " (--mount)";
  if (p.source == Place::Source::manifest) return name + ": as your manifest says (" + p.line + ")";
  if (p.kind == Kind::volume && p.access == Access::tmpfs)
    return name + ": in-enclave tmpfs (gsc's " + std::string(p.path == "/run" ? "run-time files" : "scratch") +
           " place): the app's writes are lost at exit, and host data mounted there is hidden. Choose " + other +
           ", or an fs.mounts entry in your manifest.";
  if (p.kind == Kind::volume && !p.inside_tmpfs.empty())
    return name + ": inside the in-enclave tmpfs of " + printable(p.inside_tmpfs) +
           ": the app's writes are lost at exit, and host data mounted there is hidden. Choose " + other +
           ", or an fs.mounts entry in your manifest.";
  if (p.kind == Kind::volume)
    return name + ": the app cannot write there, and host data mounted there is refused" +
           (p.image_files ? " (the image's " + files_text(p.image_files) + " there stay trusted, read-only)" : "") +
           ". Choose " + other + ", or an fs.mounts entry in your manifest.";
  if (p.kind == Kind::secrets)
    return name + ": not reachable (Docker secrets). To read them: `--mount " + path +
           "=encrypted` (files encrypted with gramine-sgx-pf-crypt) or `=allowed` (plain: the host can read and "
           "change them).";
  const std::string hidden =
      p.access == Access::tmpfs && p.image_files ? "; it hides the image's " + files_text(p.image_files) + " there" : "";
  if (p.kind == Kind::scratch)
    return name + ": in-enclave tmpfs (scratch: empty at start, lost at exit, one per process" + hidden + ")";
  if (p.kind == Kind::run_time_files)
    return name + ": in-enclave tmpfs (the app's pid files and sockets" + hidden + ")";
  if (p.kind == Kind::app_logs)
    return name + ": in-enclave tmpfs (the app's logs, lost at exit" + hidden + "; `--mount " + p.path +
           "=encrypted` keeps them on the host)";
  if (p.access == Access::trusted)
    return name + ": trusted, read-only (" + files_text(p.image_files) +
           " the image ships for the app to read); to write there: " + other;
  return name + ": in-enclave tmpfs (the app writes there" + (p.image_files ? hidden : "; empty in the image") +
         "; to keep its files on the host: `--mount " + p.path + "=encrypted|allowed`)";
}

toml::table mount_table(std::initializer_list<std::pair<const char*, std::string>> fields) {
  toml::table t;
  for (const auto& [k, v] : fields) t.insert(k, v);
  t.is_inline(true);
  return t;
}

[[noreturn]] void usage(const std::string& message) { throw Error(ErrorCategory::invalid_argument, message); }

// Paths no choice may cover: gsc's own files and Gramine's runtime (an allowed or mounted
// /gramine would let the host replace what the enclave trusts), and the name-resolution files
// gsc provides.
void refuse_protected(const MountChoice& c) {
  if (is_under(c.path, "/gramine"))
    usage("`--mount " + printable(c.path) + "=" + to_string(c.access) + "`: /gramine holds gsc's files and Gramine's "
          "runtime, which the enclave trusts. Choose a place of the app's.");
  if (c.path == "/etc" || c.path == "/etc/hosts" || c.path == "/etc/hostname")
    usage("`--mount " + printable(c.path) + "=" + to_string(c.access) + "`: gsc provides /etc/hosts and /etc/hostname "
          "(fixed, trusted). To use your own, mount or list them in your manifest.");
}

}  // namespace

const char* to_string(Access access) noexcept {
  switch (access) {
    case Access::none: return "none";
    case Access::tmpfs: return "tmpfs";
    case Access::encrypted: return "encrypted";
    case Access::allowed: return "allowed";
    case Access::trusted: return "trusted";
  }
  return "none";
}

MountChoice parse_mount_choice(const std::string& argument) {
  const auto eq = argument.rfind('=');
  const std::string hint = "Write it as `--mount PATH=tmpfs|encrypted[:KEY]|allowed|trusted`.";
  if (eq == std::string::npos || eq == 0) usage("`--mount " + argument + "` names no choice. " + hint);
  MountChoice c;
  const std::string raw_path = argument.substr(0, eq);
  std::string word = argument.substr(eq + 1);
  if (raw_path.front() != '/') usage("`--mount " + argument + "`: the path must be absolute. " + hint);
  std::string path;
  for (std::size_t i = 0; i < raw_path.size();) {
    std::size_t j = raw_path.find('/', i + 1);
    if (j == std::string::npos) j = raw_path.size();
    const std::string part = raw_path.substr(i + 1, j - i - 1);
    if (part == "." || part == "..") usage("`--mount " + argument + "`: write the path without `.` or `..`. " + hint);
    if (!part.empty()) path += "/" + part;
    i = j;
  }
  c.path = path.empty() ? "/" : path;
  if (c.path == "/") usage("`--mount " + argument + "`: the root cannot be a mount. Name a directory.");
  if (word.rfind("encrypted:", 0) == 0) {
    c.key_name = word.substr(10);
    word = "encrypted";
    if (c.key_name.empty() || c.key_name.find_first_of(" \t\"\\") != std::string::npos)
      usage("`--mount " + argument + "`: name the key after `encrypted:`, e.g. `encrypted:my_key`.");
  }
  if (word == "tmpfs") c.access = Access::tmpfs;
  else if (word == "encrypted") c.access = Access::encrypted;
  else if (word == "allowed") c.access = Access::allowed;
  else if (word == "trusted") c.access = Access::trusted;
  else usage("`--mount " + argument + "`: unknown choice `" + word + "`. " + hint);
  return c;
}

void check_choices(const toml::table& m, const std::vector<std::string>& volumes,
                   const std::vector<MountChoice>& choices) {
  const auto entries = user_entries(m);
  std::set<std::string> seen;
  for (const auto& c : choices) {
    refuse_protected(c);
    if (!seen.insert(c.path).second) usage("`--mount " + printable(c.path) + "=...` is given twice. Keep one.");
    for (const auto& e : entries)
      if (e.path == c.path)
        usage("`" + printable(c.path) + "` is chosen twice: by your manifest (" + e.text + ") and by `--mount " +
              printable(c.path) + "=" + to_string(c.access) + "`. Keep one.");
    const bool host_data = is_under(c.path, kSecrets) || std::any_of(volumes.begin(), volumes.end(), [&](const std::string& v) {
                             return is_under(c.path, without_trailing_slash(v));
                           });
    if (c.access == Access::trusted && host_data)
      usage("`--mount " + printable(c.path) + "=trusted`: Docker mounts host data at `" + printable(c.path) +
            "` at run time, which no hash of the image can vouch for. Choose tmpfs, encrypted or allowed.");
  }
}

PlacesPlan plan_places(const toml::table& m, const PlacesInput& input) {
  check_choices(m, input.volumes, input.choices);
  // The same choices give the same manifest, whatever their order on the command line.
  PlacesInput in = input;
  std::sort(in.choices.begin(), in.choices.end(), [](const MountChoice& a, const MountChoice& b) { return a.path < b.path; });
  const auto entries = user_entries(m);
  std::map<std::string, MountChoice> chosen;
  for (const auto& c : in.choices) chosen[c.path] = c;
  auto files_under = [&](const std::string& path) {
    const auto it = in.files_under.find(path);
    return it == in.files_under.end() ? std::size_t{0} : it->second;
  };
  auto is_volume = [&](const std::string& path) {
    return std::any_of(in.volumes.begin(), in.volumes.end(),
                       [&](const std::string& v) { return is_under(path, without_trailing_slash(v)); });
  };

  // The places, in report order: scratch, VOLUMEs, secrets, /var, then other choices.
  using Kind = Place::Kind;
  std::vector<std::pair<std::string, Kind>> candidates{{"/tmp", Kind::scratch}};
  if (in.files_under.count("/var/tmp")) candidates.emplace_back("/var/tmp", Kind::scratch);
  candidates.emplace_back("/run", Kind::run_time_files);
  for (const auto& v : in.volumes) candidates.emplace_back(without_trailing_slash(v), Kind::volume);
  candidates.emplace_back(kSecrets, Kind::secrets);
  for (const auto& dir : in.var_dirs) {
    if (is_system_var_dir(dir) || is_volume(dir)) continue;
    if (dir == "/var/www" && files_under(dir) == 0) continue;
    candidates.emplace_back(dir, dir.rfind("/var/log/", 0) == 0 ? Kind::app_logs : Kind::app_files);
  }
  for (const auto& c : in.choices) candidates.emplace_back(c.path, Kind::chosen);

  PlacesPlan plan;
  std::set<std::string> seen;
  std::set<std::string> volume_paths;
  for (const auto& v : in.volumes) volume_paths.insert(without_trailing_slash(v));
  for (const auto& [path, candidate_kind] : candidates) {
    if (!seen.insert(path).second) continue;
    Place p;
    p.path = path;
    // A VOLUME that is one of gsc's tmpfs places is reported as the VOLUME it is.
    const bool volume_here = volume_paths.count(path) > 0;
    const Kind kind = volume_here ? Kind::volume : candidate_kind;
    p.kind = kind;
    p.what = what_of(kind);
    p.image_files = files_under(path);
    if (const auto c = chosen.find(path); c != chosen.end()) {
      p.source = Place::Source::command_line;
      p.access = c->second.access;
      p.key_name = c->second.key_name.empty() ? kDefaultKeyName : c->second.key_name;
      if (p.access == Access::trusted && p.image_files == 0)
        usage("`--mount " + path + "=trusted`: the image has no files under `" + path + "`.");
    } else if (const auto e = user_entry_for(entries, path)) {
      p.source = Place::Source::manifest;
      p.access = e->access;
      p.line = e->text + (e->path == path ? "" : " for " + e->path);
    } else if (candidate_kind == Kind::scratch || candidate_kind == Kind::run_time_files ||
               candidate_kind == Kind::app_logs) {
      p.access = Access::tmpfs;
      p.warn = volume_here;
    } else if (kind == Kind::volume || kind == Kind::secrets) {
      p.warn = true;  // host data: nothing is added, and the user is told the choices
    } else if (kind == Kind::app_files) {
      p.access = p.image_files ? Access::trusted : Access::tmpfs;
    }
    if (p.kind == Kind::volume && p.source == Place::Source::gsc && p.access == Access::none)
      for (const auto& other : plan.places)
        if (other.access == Access::tmpfs && other.source == Place::Source::gsc && is_under(p.path, other.path))
          p.inside_tmpfs = other.path;
    p.line = line_of(p);
    plan.places.push_back(std::move(p));
  }

  // What each place needs in the manifest. A place the user's manifest decides needs nothing,
  // but its image files must not be trusted (a trusted file cannot be written).
  auto inside_a_mount = [&](const Place& place) {
    for (const auto& other : plan.places)
      if (&other != &place && is_under(place.path, other.path) &&
          (other.access == Access::tmpfs || other.access == Access::encrypted))
        return true;
    for (const auto& e : entries)
      if (e.path != place.path && is_under(place.path, e.path) &&
          (e.access == Access::tmpfs || e.access == Access::encrypted))
        return true;
    return false;
  };
  std::vector<std::pair<std::size_t, toml::table>> mounts;
  for (const auto& p : plan.places) {
    if (p.access == Access::tmpfs || p.access == Access::encrypted || p.access == Access::allowed)
      plan.not_trusted.push_back(p.path);
    if (p.source == Place::Source::manifest) continue;
    switch (p.access) {
      case Access::tmpfs:
        mounts.emplace_back(depth(p.path), mount_table({{"type", "tmpfs"}, {"path", p.path}}));
        break;
      case Access::encrypted:
        mounts.emplace_back(depth(p.path), mount_table({{"type", "encrypted"}, {"path", p.path},
                                                        {"uri", "file:" + p.path}, {"key_name", p.key_name}}));
        break;
      case Access::allowed:
      case Access::trusted:
        if (p.access == Access::allowed) plan.allowed.push_back("file:" + p.path);
        else plan.trusted_dirs.push_back(p.path);
        // Under a tmpfs the host's files are hidden: mount them through.
        if (inside_a_mount(p))
          mounts.emplace_back(depth(p.path), mount_table({{"path", p.path}, {"uri", "file:" + p.path}}));
        break;
      case Access::none: break;
    }
  }
  for (const auto& e : entries)
    if ((e.access == Access::tmpfs || e.access == Access::encrypted || e.access == Access::allowed) &&
        std::find(plan.not_trusted.begin(), plan.not_trusted.end(), e.path) == plan.not_trusted.end())
      plan.not_trusted.push_back(e.path);
  std::stable_sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [d, t] : mounts) plan.mounts.push_back(std::move(t));
  return plan;
}

void add_places(toml::table& manifest, const PlacesPlan& plan) {
  if (!manifest.contains("fs")) manifest.insert("fs", toml::table{});
  auto* fs = manifest["fs"].as_table();
  if (!fs) throw Error(ErrorCategory::input, "`fs` in the manifest must be a table.");
  if (!fs->contains("mounts")) fs->insert("mounts", toml::array{});
  auto* mounts = (*fs)["mounts"].as_array();
  if (!mounts) throw Error(ErrorCategory::input, "`fs.mounts` in the manifest must be an array of tables.");
  for (const auto& mount : plan.mounts) {
    const std::string path = *mount["path"].value<std::string>();
    // Before the first mount below it, so that none of those is hidden.
    std::size_t at = mounts->size();
    for (std::size_t i = 0; i < mounts->size(); ++i)
      if (const auto* t = mounts->get(i)->as_table())
        if (const auto p = (*t)["path"].value<std::string>(); p && without_trailing_slash(*p) != path &&
                                                                 is_under(without_trailing_slash(*p), path)) {
          at = i;
          break;
        }
    mounts->insert(mounts->begin() + static_cast<std::ptrdiff_t>(at), mount);
  }
  if (!plan.allowed.empty()) {
    if (!manifest["sgx"]) manifest.insert("sgx", toml::table{});
    auto* sgx = manifest["sgx"].as_table();
    if (!sgx) throw Error(ErrorCategory::input, "`sgx` in the manifest must be a table of SGX settings.");
    if (!sgx->contains("allowed_files")) sgx->insert("allowed_files", toml::array{});
    auto* allowed = (*sgx)["allowed_files"].as_array();
    if (!allowed) throw Error(ErrorCategory::input, "`sgx.allowed_files` in the manifest must be an array.");
    for (const auto& uri : plan.allowed) allowed->push_back(uri);
  }
}

EtcFiles etc_files_to_provide(const toml::table& m) {
  const auto entries = user_entries(m);
  auto mine = [&](const std::string& path) {
    return std::none_of(entries.begin(), entries.end(), [&](const UserEntry& e) { return e.path == path; });
  };
  return EtcFiles{mine("/etc/hosts"), mine("/etc/hostname"), mine("/etc/resolv.conf")};
}

std::string hosts_text() {
  return "# gsc: fixed and trusted; Docker's per-container /etc/hosts is not measured.\n"
         "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n";
}

std::string hostname_text() { return "localhost\n"; }

std::string add_etc_files(toml::table& manifest, const EtcFiles& files) {
  PlacesPlan plan;
  if (files.hosts) plan.mounts.push_back(mount_table({{"path", "/etc/hosts"}, {"uri", std::string("file:") + kHostsFile}}));
  if (files.hostname)
    plan.mounts.push_back(mount_table({{"path", "/etc/hostname"}, {"uri", std::string("file:") + kHostnameFile}}));
  add_places(manifest, plan);
  if (files.resolv_conf) {
    if (!manifest["sys"]) manifest.insert("sys", toml::table{});
    if (auto* sys = manifest["sys"].as_table(); sys && !sys->contains("enable_extra_runtime_domain_names_conf"))
      sys->insert("enable_extra_runtime_domain_names_conf", true);
  }
  auto part = [](bool gsc, const std::string& name, const std::string& ours) {
    return name + ": " + (gsc ? ours : "as your manifest says");
  };
  return part(files.hosts, "/etc/hosts", "gsc's fixed file (localhost only)") + "; " +
         part(files.hostname, "/etc/hostname", "gsc's fixed file (localhost)") + "; " +
         part(files.resolv_conf, "/etc/resolv.conf", "Gramine's, from the host's");
}

}  // namespace gsc::manifest
