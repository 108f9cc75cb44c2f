#include "image/trusted_files.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "gsc/error.hpp"
#include "tar/reader.hpp"

namespace gsc::image {
namespace {

class Walker {
 public:
  Walker(const Filesystem& fs, const TrustedFilesOptions& options, TrustedFiles& out)
      : fs_(fs), options_(options), out_(out), visits_left_(kWalkBase + kWalkPerNode * fs.nodes.size()) {
    std::uint64_t node_bytes = 0;
    for (const auto& entry : fs.nodes) node_bytes += entry.first.size();
    bytes_left_ = kWalkBytesBase + kWalkPerNode * node_bytes;
    visits_ = visits_left_;
    std::string combined;
    for (const auto& e : options.exclusions) combined += (combined.empty() ? "" : "|") + ("(?:" + e + ")");
    if (combined.empty()) return;
    excluded_ = std::regex(combined, std::regex::ECMAScript | std::regex::optimize);
    // Every name of a hard-linked file: one excluded name excludes them all.
    for (const auto& [path, node] : fs.nodes)
      if (node.type == Node::Type::file && !node.target.empty()) groups_[node.target].push_back(path);
  }

  // After the walk: how many notes were left out.
  void finish_notes() {
    if (more_notes_) out_.notes.push_back("... and " + std::to_string(more_notes_) + " more skipped");
  }

  // Lists `shown` (the path as the app sees it), whose real directory is `real`.
  void walk_directory(const std::string& real, const std::string& shown, std::vector<std::string>& chain) {
    const auto kids = fs_.children.find(real);
    if (kids == fs_.children.end()) return;
    for (const auto& name : kids->second) visit(join_path(real, name), join_path(shown, name), chain);
  }

  void visit(const std::string& real, const std::string& shown, std::vector<std::string>& chain) {
    spend(shown);
    const auto it = fs_.nodes.find(real);
    if (it == fs_.nodes.end()) return;
    const Node* node = &it->second;
    std::string target_real = real;
    if (node->type == Node::Type::symlink) {
      std::optional<std::string> resolved;
      try {
        resolved = resolve(fs_, real);
      } catch (const Error&) {
        note("skipped a symlink loop: " + tar::printable_path(shown, kMaxPath));
        return;
      }
      if (!resolved) return;  // dangling
      target_real = *resolved;
      const auto target = fs_.nodes.find(target_real);
      if (target == fs_.nodes.end()) return;
      node = &target->second;
    }
    if (node->type == Node::Type::directory) {
      if (shown.find('\n') != std::string::npos) {
        note("skipped a directory whose name has a newline: " + tar::printable_path(shown, kMaxPath));
        return;
      }
      if (std::find(chain.begin(), chain.end(), target_real) != chain.end()) {
        note("skipped a directory cycle: " + tar::printable_path(shown, kMaxPath) + " -> " +
                             tar::printable_path(target_real, kMaxPath));
        return;
      }
      chain.push_back(target_real);
      walk_directory(target_real, shown, chain);
      chain.pop_back();
      return;
    }
    if (node->type != Node::Type::file) return;  // fifos, devices, sockets: nothing to trust
    if (options_.already_listed.count(shown) || excluded(shown, target_real, *node)) return;
    // Checked only for files that would be listed: a name under an excluded path never matters.
    if (shown.find('\n') != std::string::npos) {
      note("skipped a name with a newline: " + tar::printable_path(shown, kMaxPath));
      return;
    }
    if (!valid_utf8(shown))
      throw Error(ErrorCategory::input, "The image has a file name that is not UTF-8: `" +
                                            tar::printable_path(shown, kMaxPath) +
                                            "`. Rename it, or remove it from the image.");
    out_.files.push_back({shown, node->sha256, node->size});
    out_.bytes += node->size;
  }

 private:
  // The walk visits each path under every name the image's symlinked directories give it
  // (Debian's /lib -> usr/lib doubles /usr/lib): about twice the image's entries and their
  // path bytes. Real images stay far below these budgets; a web of symlinks to directories
  // (each leading to the next twice) would not end in years. What the walk keeps (the list,
  // the notes) is bounded by them too.
  static constexpr std::uint64_t kWalkBase = 250'000;        // visits, plus 4 per entry of the image
  static constexpr std::uint64_t kWalkBytesBase = 16 << 20;  // bytes of the paths visited, plus 4 x the image's
  static constexpr std::uint64_t kWalkPerNode = 4;
  static constexpr std::size_t kMaxNotes = 100;

  void spend(const std::string& shown) {
    if (shown.size() >= kMaxPath)
      throw Error(ErrorCategory::input, "The image's symlinks to directories make paths longer than Linux opens (" +
                                            std::to_string(kMaxPath - 1) + " bytes), e.g. `" +
                                            tar::printable_path(shown) + "`. Remove the links that lead back "
                                            "into the directories holding them.");
    if (visits_left_ == 0 || bytes_left_ < shown.size())
      throw Error(ErrorCategory::input, "The image's symlinks to directories make more paths than gsc walks (" +
                                            std::to_string(visits_) + " for its " + std::to_string(fs_.nodes.size()) +
                                            " entries), e.g. `" + tar::printable_path(shown) + "`. Remove the links "
                                            "that lead into the same directories again and again.");
    --visits_left_;
    bytes_left_ -= shown.size();
  }

  void note(std::string line) {
    if (out_.notes.size() < kMaxNotes) out_.notes.push_back(std::move(line));
    else ++more_notes_;
  }

  // Whether an exclusion holds for the name shown, the real path it leads to, or (a hard link)
  // any other name of the same file: /opt/x -> /etc/shadow lists no shadow file.
  bool excluded(const std::string& shown, const std::string& real, const Node& node) const {
    if (!excluded_) return false;
    if (std::regex_match(shown, *excluded_)) return true;
    if (real != shown && std::regex_match(real, *excluded_)) return true;
    if (node.target.empty()) return false;
    const auto group = groups_.find(node.target);
    if (group == groups_.end()) return false;
    return std::any_of(group->second.begin(), group->second.end(),
                       [&](const std::string& name) { return std::regex_match(name, *excluded_); });
  }

  const Filesystem& fs_;
  const TrustedFilesOptions& options_;
  TrustedFiles& out_;
  std::uint64_t visits_left_, visits_, bytes_left_ = 0;
  std::uint64_t more_notes_ = 0;
  std::optional<std::regex> excluded_;
  std::map<std::string, std::vector<std::string>> groups_;  // first name -> every name of a hard-linked file
};

}  // namespace

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t code = 0;
    if (c >= 0xc2 && c <= 0xdf) length = 2, code = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) length = 3, code = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) length = 4, code = c & 0x07;
    else return false;
    if (i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    const char32_t minimum = length == 3 ? 0x800 : length == 4 ? 0x10000 : 0x80;
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

std::vector<std::string> default_exclusions() {
  return {R"(/boot/.*)",      R"(/\.dockerenv)",          R"(/\.dockerinit)",   R"(/dev/.*)",
          R"(/etc/gshadow.*)", R"(/etc/mtab)",            R"(/etc/\.pwd\.lock)", R"(/etc/rc(\d|.)\.d/.*)",
          R"(/etc/security/.*)", R"(/etc/shadow.*)",      R"(/proc/.*)",        R"(/sys/.*)",
          R"(/var/.*)",       R"(/etc/hosts)",            R"(/etc/hostname)",   R"(/etc/resolv\.conf)",
          R"(/gramine/gsc/.*)"};
}

TrustedFiles trusted_files(const Filesystem& fs, const TrustedFilesOptions& options, const std::string& root) {
  TrustedFiles out;
  Walker walker(fs, options, out);
  std::vector<std::string> chain;
  if (root == "/") {
    chain.push_back("/");
    walker.walk_directory("/", "/", chain);
  } else {
    walker.visit(root, root, chain);
  }
  walker.finish_notes();
  std::sort(out.files.begin(), out.files.end(),
            [](const TrustedFile& a, const TrustedFile& b) { return a.path < b.path; });
  out.files.erase(std::unique(out.files.begin(), out.files.end(),
                              [](const TrustedFile& a, const TrustedFile& b) { return a.path == b.path; }),
                  out.files.end());
  return out;
}

}  // namespace gsc::image
