#include "image/content.hpp"

#include <algorithm>

#include "gsc/error.hpp"
#include "image/trusted_files.hpp"

namespace gsc::image {
namespace {

std::optional<std::string> real_path(const Filesystem& fs, const std::string& path) {
  try {
    return resolve(fs, path);
  } catch (const Error&) {
    return std::nullopt;  // a loop: nothing there
  }
}

}  // namespace

std::size_t count_files(const Filesystem& fs, const std::string& dir) {
  const auto real = real_path(fs, dir);
  if (!real) return 0;
  std::size_t files = 0;
  std::vector<std::string> pending{*real};
  while (!pending.empty()) {
    const std::string current = pending.back();
    pending.pop_back();
    const auto node = fs.nodes.find(current);
    if (node == fs.nodes.end()) continue;
    if (node->second.type == Node::Type::file) ++files;
    if (node->second.type != Node::Type::directory) continue;
    if (const auto kids = fs.children.find(current); kids != fs.children.end())
      for (const auto& name : kids->second) pending.push_back(join_path(current, name));
  }
  return files;
}

bool exists(const Filesystem& fs, const std::string& path) {
  const auto real = real_path(fs, path);
  return real && fs.nodes.count(*real);
}

std::vector<std::string> var_dirs(const Filesystem& fs) {
  std::vector<std::string> out;
  if (const auto www = real_path(fs, "/var/www")) {
    const auto node = fs.nodes.find(*www);
    if (node != fs.nodes.end() && node->second.type == Node::Type::directory) out.push_back("/var/www");
  }
  for (const char* area : {"/var/cache", "/var/lib", "/var/log", "/var/opt", "/var/spool"}) {
    const auto real = real_path(fs, area);
    if (!real) continue;
    const auto kids = fs.children.find(*real);
    if (kids == fs.children.end()) continue;
    for (const auto& name : kids->second) {
      // A name no manifest can carry gets no place: the walk excludes /var, so it stays out of reach.
      if (!valid_utf8(name) || std::any_of(name.begin(), name.end(), [](char c) { return c >= 0 && c < 0x20; }))
        continue;
      const auto node = fs.nodes.find(join_path(*real, name));
      if (node != fs.nodes.end() && node->second.type == Node::Type::directory)
        out.push_back(join_path(area, name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gsc::image
