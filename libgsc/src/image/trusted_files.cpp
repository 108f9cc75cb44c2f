#include "image/trusted_files.hpp"

#include <algorithm>
#include <regex>

#include "gsc/error.hpp"

namespace gsc::image {
namespace {

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += extra + 1;
  }
  return true;
}

class Walker {
 public:
  Walker(const Filesystem& fs, const TrustedFilesOptions& options, TrustedFiles& out)
      : fs_(fs), options_(options), out_(out) {
    std::string combined;
    for (const auto& e : options.exclusions) combined += (combined.empty() ? "" : "|") + ("(?:" + e + ")");
    if (!combined.empty()) excluded_ = std::regex(combined, std::regex::ECMAScript | std::regex::optimize);
  }

  // Lists `shown` (the path as the app sees it), whose real directory is `real`.
  void walk_directory(const std::string& real, const std::string& shown, std::vector<std::string>& chain) {
    const auto kids = fs_.children.find(real);
    if (kids == fs_.children.end()) return;
    for (const auto& name : kids->second) visit(join_path(real, name), join_path(shown, name), chain);
  }

  void visit(const std::string& real, const std::string& shown, std::vector<std::string>& chain) {
    if (shown.find('\n') != std::string::npos) {
      out_.notes.push_back("skipped a name with a newline: " + escaped(shown));
      return;
    }
    if (!valid_utf8(shown))
      throw Error(ErrorCategory::input, "The image has a file name that is not UTF-8: `" + escaped(shown) +
                                            "`. Rename it, or exclude it from the image.");
    const auto it = fs_.nodes.find(real);
    if (it == fs_.nodes.end()) return;
    const Node* node = &it->second;
    std::string target_real = real;
    if (node->type == Node::Type::symlink) {
      std::optional<std::string> resolved;
      try {
        resolved = resolve(fs_, real);
      } catch (const Error&) {
        out_.notes.push_back("skipped a symlink loop: " + shown);
        return;
      }
      if (!resolved) return;  // dangling
      target_real = *resolved;
      const auto target = fs_.nodes.find(target_real);
      if (target == fs_.nodes.end()) return;
      node = &target->second;
    }
    if (node->type == Node::Type::directory) {
      if (std::find(chain.begin(), chain.end(), target_real) != chain.end()) {
        out_.notes.push_back("skipped a directory cycle: " + shown + " -> " + target_real);
        return;
      }
      chain.push_back(target_real);
      walk_directory(target_real, shown, chain);
      chain.pop_back();
      return;
    }
    if (node->type != Node::Type::file) return;
    if (options_.already_listed.count(shown)) return;
    if (excluded_ && std::regex_match(shown, *excluded_)) return;
    out_.files.push_back({shown, node->sha256, node->size});
    out_.bytes += node->size;
  }

 private:
  static std::string escaped(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (c == '\n') out += "\\n";
      else if (c < 0x20 || c >= 0x80) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else out += static_cast<char>(c);
    }
    return out;
  }

  const Filesystem& fs_;
  const TrustedFilesOptions& options_;
  TrustedFiles& out_;
  std::optional<std::regex> excluded_;
};

}  // namespace

std::vector<std::string> default_exclusions() {
  return {R"(/boot/.*)",      R"(/\.dockerenv)",          R"(/\.dockerinit)",   R"(/dev/.*)",
          R"(/etc/gshadow.*)", R"(/etc/mtab)",            R"(/etc/\.pwd\.lock)", R"(/etc/rc(\d|.)\.d/.*)",
          R"(/etc/security/.*)", R"(/etc/shadow.*)",      R"(/proc/.*)",        R"(/sys/.*)",
          R"(/var/.*)",       R"(/etc/hosts)",            R"(/etc/hostname)",   R"(/etc/resolv\.conf)"};
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
  std::sort(out.files.begin(), out.files.end(),
            [](const TrustedFile& a, const TrustedFile& b) { return a.path < b.path; });
  out.files.erase(std::unique(out.files.begin(), out.files.end(),
                              [](const TrustedFile& a, const TrustedFile& b) { return a.path == b.path; }),
                  out.files.end());
  return out;
}

}  // namespace gsc::image
