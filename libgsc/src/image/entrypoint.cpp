// The entry point: argv[0] found along PATH, followed through every symlink of the image.

#include "image/entrypoint.hpp"

#include <algorithm>
#include <cstdio>

#include "gsc/error.hpp"
#include "image/trusted_files.hpp"
#include "tar/reader.hpp"

namespace gsc::image {
namespace {

constexpr int kMaxHops = 40;  // as Linux's MAXSYMLINKS

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// "." and ".." removed lexically: right when the part before the first ".." holds no symlink,
// which is so for the hops shown (their prefix is a real directory).
std::string normalized(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& part : components(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  std::string text;
  for (const auto& part : out) text += "/" + part;
  return text.empty() ? "/" : text;
}

std::string mode_text(unsigned mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777);
  return buffer;
}

// Why `chain` is no runnable binary, or "" when it is one.
std::string problem_text(const Filesystem& fs, const LinkChain& chain, const std::string& shown) {
  const std::string links = chain.hops.size() > 1 ? " (" + chain_text(chain) + ")" : "";
  switch (chain.end) {
    case LinkChain::End::missing:
      return "cannot find the entrypoint binary `" + shown + "` in the image. Fix ENTRYPOINT/CMD.";
    case LinkChain::End::dangling:
      return "the entrypoint binary `" + shown + "` is a dangling link: " + chain_text(chain) + ", and `" +
             chain.hops.back() + "` is not in the image. Install what it points to, or name the real file in "
             "ENTRYPOINT/CMD.";
    case LinkChain::End::loop:
      return "the entrypoint binary `" + shown + "` is a symlink loop: " + chain_text(chain) +
             ". Fix the links, or name the real file in ENTRYPOINT/CMD.";
    case LinkChain::End::directory:
      return "the entrypoint binary `" + shown + "` is a directory" + links + ". Name the program in ENTRYPOINT/CMD.";
    case LinkChain::End::other:
      return "the entrypoint binary `" + shown + "` is no regular file" + links + ". Name the program in ENTRYPOINT/CMD.";
    case LinkChain::End::not_directory:
      return "the entrypoint binary `" + shown + "` goes on past `" + chain.not_directory + "`, which is no directory" +
             links + ". Name the program itself in ENTRYPOINT/CMD.";
    case LinkChain::End::file: {
      const Node& node = fs.nodes.at(chain.hops.back());
      if ((node.mode & 0111) == 0)
        return "the entrypoint binary `" + shown + "` is not executable" + links + ", mode " + mode_text(node.mode) +
               ". `chmod +x` it in the image.";
      return "";
    }
  }
  return "";
}

// `text` on one line: control characters as \xNN (UTF-8 stays as it is).
std::string one_line(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      out += c;
      continue;
    }
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
    out += buffer;
  }
  return out;
}

// Why `chain` is no runnable binary, or "" when it is one: one line.
std::string problem_of(const Filesystem& fs, const LinkChain& chain, const std::string& shown) {
  return one_line(problem_text(fs, chain, shown));
}

}  // namespace

LinkChain follow_links(const Filesystem& fs, const std::string& start) {
  LinkChain chain;
  chain.hops.push_back(normalized(start));
  std::vector<std::string> pending = components(start);
  std::reverse(pending.begin(), pending.end());  // a stack: back() is the next component
  std::string current = "/";
  const Node* node = &fs.nodes.at("/");
  while (!pending.empty()) {
    const std::string part = pending.back();
    pending.pop_back();
    if (node->type != Node::Type::directory) {  // a file used as a directory, even by "." or ".."
      chain.end = LinkChain::End::not_directory;
      chain.not_directory = current;
      return chain;
    }
    if (part == ".") continue;
    if (part == "..") {
      current = parent_of(current);
      node = &fs.nodes.at(current);
      continue;
    }
    const std::string next = join_path(current, part);
    const auto it = fs.nodes.find(next);
    if (it == fs.nodes.end()) {
      chain.end = chain.hops.size() > 1 ? LinkChain::End::dangling : LinkChain::End::missing;
      return chain;
    }
    if (it->second.type != Node::Type::symlink) {
      current = next;
      node = &it->second;
      continue;
    }
    // A link: the whole path it leads to is its target (from the link's directory when
    // relative) followed by what is left of the path.
    const std::string& target = it->second.target;
    std::string rest;
    for (auto p = pending.rbegin(); p != pending.rend(); ++p) rest += "/" + *p;
    const std::string whole = normalized((target.empty() || target.front() != '/' ? current + "/" : "") + target + rest);
    const bool seen = std::find(chain.hops.begin(), chain.hops.end(), whole) != chain.hops.end();
    chain.hops.push_back(whole);
    if (seen || static_cast<int>(chain.hops.size()) > kMaxHops) {
      chain.end = LinkChain::End::loop;
      return chain;
    }
    const auto target_parts = components(target);
    for (auto p = target_parts.rbegin(); p != target_parts.rend(); ++p) pending.push_back(*p);
    if (!target.empty() && target.front() == '/') {
      current.assign(1, '/');
      node = &fs.nodes.at("/");
    }
  }
  // The last hop is the real path: rewrite it from what was walked (exact, also after "..").
  if (chain.hops.back() != current) {
    if (chain.hops.size() == 1) chain.hops.back() = current;
    else chain.hops.push_back(current);
  }
  chain.end = node->type == Node::Type::file        ? LinkChain::End::file
              : node->type == Node::Type::directory ? LinkChain::End::directory
                                                    : LinkChain::End::other;
  return chain;
}

std::string chain_text(const LinkChain& chain) {
  std::string out;
  for (const auto& hop : chain.hops) out += (out.empty() ? "" : " -> ") + hop;
  return out;
}

EntryPoint resolve_entrypoint(const Filesystem& fs, const std::string& binary, const std::string& path_value) {
  auto entry_point = [](const LinkChain& chain) {
    if (!valid_utf8(chain.hops.back()))
      throw Error(ErrorCategory::input, "the entrypoint binary is `" + tar::printable_path(chain.hops.back(), kMaxPath) +
                                            "`, a path that is not UTF-8, which a Gramine manifest cannot carry. Rename "
                                            "it in the image.");
    return EntryPoint{chain.hops.front(), chain.hops.back(), chain.hops};
  };
  if (binary.find('/') != std::string::npos) {
    const LinkChain chain = follow_links(fs, binary);
    if (const std::string problem = problem_of(fs, chain, binary); !problem.empty())
      throw Error(ErrorCategory::input, problem);
    return entry_point(chain);
  }
  // A bare name: the first executable file along PATH, as execvp takes it. A candidate that
  // is a broken link is skipped too, but named if nothing else is found.
  std::string first_problem;
  std::size_t i = 0;
  while (i <= path_value.size()) {
    std::size_t j = path_value.find(':', i);
    if (j == std::string::npos) j = path_value.size();
    const std::string dir = path_value.substr(i, j - i);
    i = j + 1;
    if (dir.empty() || dir.front() != '/') continue;
    const std::string candidate = join_path(normalized(dir), binary);
    const LinkChain chain = follow_links(fs, candidate);
    if (chain.end == LinkChain::End::missing || chain.end == LinkChain::End::not_directory) continue;  // as execvp
    const std::string problem = problem_of(fs, chain, binary);
    if (problem.empty()) return entry_point(chain);
    if (first_problem.empty()) first_problem = problem;
  }
  if (!first_problem.empty()) throw Error(ErrorCategory::input, first_problem);
  throw Error(ErrorCategory::input, one_line("cannot find the entrypoint binary `" + binary + "` in the image's PATH (`" +
                                               path_value + "`). Use an absolute path in ENTRYPOINT/CMD."));
}

std::string script_interpreter(const std::string& head) {
  if (head.rfind("#!", 0) != 0) return "";
  std::string line = head.substr(2, head.find('\n') == std::string::npos ? std::string::npos : head.find('\n') - 2);
  auto words = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t k = 0;
    while (k < text.size()) {
      const auto start = text.find_first_not_of(" \t\r", k);
      if (start == std::string::npos) break;
      const auto end = text.find_first_of(" \t\r", start);
      out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      k = end == std::string::npos ? text.size() : end;
    }
    return out;
  };
  const auto parts = words(line);
  if (parts.empty()) return "";
  // `#!/usr/bin/env [-S] NAME ...`: the program env runs.
  if (parts[0].size() >= 4 && parts[0].compare(parts[0].size() - 4, 4, "/env") == 0) {
    for (std::size_t k = 1; k < parts.size(); ++k)
      if (parts[k].front() != '-' && parts[k].find('=') == std::string::npos) return parts[k];
    return "";
  }
  return parts[0];
}

}  // namespace gsc::image
