#include "image/scan.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "gsc/error.hpp"
#include "tar/reader.hpp"

namespace gsc::image {
namespace {

constexpr std::size_t kChunk = 256 * 1024;
constexpr std::size_t kSmallFile = 4 << 20;      // hashed by a worker from one buffer
constexpr std::size_t kMaxInFlight = 64 << 20;   // bytes queued for the workers, at most
constexpr std::size_t kScriptHead = 256;          // kept of an executable script: its #! line

// An executable file whose first bytes are "#!": the head worth keeping.
void keep_script_head(Filesystem& fs, const std::string& path, unsigned mode, const char* data, std::size_t size) {
  if ((mode & 0111) && size >= 2 && data[0] == '#' && data[1] == '!')
    fs.script_heads[path].assign(data, std::min(size, kScriptHead));
}

std::string to_hex(const unsigned char* digest, unsigned length) {
  static const char* hex = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned i = 0; i < length; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &length);
    return to_hex(digest, length);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Hashes whole small files on worker threads; the reader blocks when too much is queued.
class HashPool {
 public:
  explicit HashPool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~HashPool() { finish(); }

  void submit(Node* node, std::string data) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return in_flight_ + data.size() <= kMaxInFlight || in_flight_ == 0; });
    in_flight_ += data.size();
    jobs_.push_back({node, std::move(data)});
    ready_.notify_one();
  }

  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& w : workers_)
      if (w.joinable()) w.join();
    workers_.clear();
  }

 private:
  struct Job {
    Node* node;  // stable: unordered_map nodes are not moved on rehash
    std::string data;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return done_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      const std::string hash = sha256_hex(job.data);
      {
        std::lock_guard lock(mutex_);
        job.node->sha256 = hash;
        in_flight_ -= job.data.size();
      }
      space_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Job> jobs_;
  std::size_t in_flight_ = 0;
  bool done_ = false;
  std::vector<std::thread> workers_;
};

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}


std::vector<std::string> split(const std::string& path) {
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

// Adds every directory on the way to `path` that the stream did not list itself.
void add_to_tree(Filesystem& fs, const std::string& path) {
  std::string child = path;
  while (child != "/") {
    const std::string parent = parent_of(child);
    const bool known = fs.children[parent].insert(child.substr(child.rfind('/') + 1)).second == false;
    auto [it, inserted] = fs.nodes.try_emplace(parent);
    if (inserted) it->second.type = Node::Type::directory;
    if (known) break;
    child = parent;
  }
}

}  // namespace

std::string join_path(const std::string& dir, const std::string& name) {
  std::string out;
  out.reserve(dir.size() + name.size() + 1);
  if (dir != "/") out.append(dir);
  out.push_back('/');
  out.append(name);
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return to_hex(digest, length);
}

bool is_config_file_of_interest(const std::string& path) {
  return path == "/etc/os-release" || path == "/usr/lib/os-release" || path == "/etc/ld.so.conf" ||
         path == "/etc/passwd" || path == "/etc/group" ||
         path.rfind("/etc/ld.so.conf.d/", 0) == 0;
}

ScanResult scan(ByteSource& export_stream, const ScanOptions& options) {
  ScanResult result;
  Filesystem& fs = result.fs;
  fs.nodes["/"].type = Node::Type::directory;
  std::vector<std::pair<std::string, std::string>> hardlinks;  // path -> target
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  HashPool pool(threads);
  tar::Reader reader(export_stream);
  std::vector<char> chunk(kChunk);
  while (auto entry = reader.next()) {
    if (entry->path == "/") continue;
    add_to_tree(fs, entry->path);
    Node& node = fs.nodes[entry->path];
    node = Node{};
    node.mode = entry->mode;
    switch (entry->type) {
      case tar::EntryType::directory: node.type = Node::Type::directory; break;
      case tar::EntryType::symlink:
        node.type = Node::Type::symlink;
        node.target = entry->link_target;
        break;
      case tar::EntryType::hardlink:
        node.type = Node::Type::file;
        hardlinks.emplace_back(entry->path, entry->link_target);
        break;
      case tar::EntryType::other: node.type = Node::Type::other; break;
      case tar::EntryType::file: {
        node.type = Node::Type::file;
        node.size = entry->size;
        ++result.files;
        result.bytes_hashed += entry->size;
        const bool keep = options.capture && options.capture(entry->path);
        if (entry->size <= kSmallFile || keep) {
          std::string data;
          data.reserve(entry->size);
          while (const std::size_t n = reader.read(chunk.data(), chunk.size())) data.append(chunk.data(), n);
          if (keep) fs.captured[entry->path] = data;
          keep_script_head(fs, entry->path, entry->mode, data.data(), data.size());
          pool.submit(&node, std::move(data));
        } else {
          Sha256 sha;  // a big file: hashed as it streams by, never held whole
          bool first = true;
          while (const std::size_t n = reader.read(chunk.data(), chunk.size())) {
            if (first) keep_script_head(fs, entry->path, entry->mode, chunk.data(), n);
            first = false;
            sha.update(chunk.data(), n);
          }
          node.sha256 = sha.hex();
        }
        break;
      }
    }
  }
  pool.finish();
  for (const auto& [path, target] : hardlinks) {
    const auto it = fs.nodes.find(target);
    if (it != fs.nodes.end() && it->second.type == Node::Type::file) {
      Node& node = fs.nodes[path];
      node.sha256 = it->second.sha256;
      node.size = it->second.size;
      node.mode = it->second.mode;
      ++result.files;
    }
  }
  return result;
}

std::optional<std::string> resolve(const Filesystem& fs, const std::string& start) {
  std::vector<std::string> pending = split(start);
  std::reverse(pending.begin(), pending.end());  // a stack: back() is the next component
  std::string current = "/";
  int hops = 0;
  while (!pending.empty()) {
    const std::string part = pending.back();
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      current = parent_of(current);
      continue;
    }
    const std::string next = join_path(current, part);
    const auto it = fs.nodes.find(next);
    if (it == fs.nodes.end()) return std::nullopt;
    if (it->second.type != Node::Type::symlink) {
      current = next;
      continue;
    }
    if (++hops > 40) throw Error(ErrorCategory::input, "`" + start + "` in the image is a symlink loop.");
    const std::string& target = it->second.target;
    auto parts = split(target);
    for (auto p = parts.rbegin(); p != parts.rend(); ++p) pending.push_back(*p);
    if (!target.empty() && target.front() == '/') current.assign(1, '/');  // (not = "/": GCC 12 -Wrestrict false positive)
  }
  return current;
}

const Node* resolve_node(const Filesystem& fs, const std::string& path) {
  const auto real = resolve(fs, path);
  if (!real) return nullptr;
  const auto it = fs.nodes.find(*real);
  return it == fs.nodes.end() ? nullptr : &it->second;
}

std::string script_head(const Filesystem& fs, const std::string& path) {
  std::optional<std::string> real;
  try {
    real = resolve(fs, path);
  } catch (const Error&) {
    return "";
  }
  if (!real) return "";
  const auto it = fs.script_heads.find(*real);
  return it == fs.script_heads.end() ? "" : it->second;
}

std::optional<std::string> captured_content(const Filesystem& fs, const std::string& path) {
  std::optional<std::string> real;
  try {
    real = resolve(fs, path);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!real) return std::nullopt;
  const auto it = fs.captured.find(*real);
  if (it == fs.captured.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> lookup_in_path(const Filesystem& fs, const std::string& path_value,
                                          const std::string& name) {
  std::size_t i = 0;
  while (i <= path_value.size()) {
    std::size_t j = path_value.find(':', i);
    if (j == std::string::npos) j = path_value.size();
    const std::string dir = path_value.substr(i, j - i);
    i = j + 1;
    if (dir.empty() || dir.front() != '/') continue;
    const std::string candidate = join_path(dir, name);
    const Node* node = nullptr;
    try {
      node = resolve_node(fs, candidate);
    } catch (const Error&) {
      continue;
    }
    if (node && node->type == Node::Type::file && (node->mode & 0111)) return candidate;
  }
  return std::nullopt;
}

namespace {

// fnmatch-style '*' and '?' on one path (no character classes in ld.so.conf in practice).
bool glob_match(const char* pattern, const char* text) {
  if (*pattern == '\0') return *text == '\0';
  if (*pattern == '*') return glob_match(pattern + 1, text) || (*text && *text != '/' && glob_match(pattern, text + 1));
  if (*text == '\0') return false;
  return (*pattern == '?' || *pattern == *text) && glob_match(pattern + 1, text + 1);
}

void read_ld_conf(const Filesystem& fs, const std::string& path, std::vector<std::string>& dirs, int depth) {
  if (depth > 8) return;
  const auto content = captured_content(fs, path);
  if (!content) return;
  std::size_t i = 0;
  while (i < content->size()) {
    std::size_t j = content->find('\n', i);
    if (j == std::string::npos) j = content->size();
    std::string line = content->substr(i, j - i);
    i = j + 1;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    if (line.rfind("include", 0) == 0 && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      std::string pattern = line.substr(line.find_first_not_of(" \t", 7));
      if (pattern.front() != '/') pattern.insert(0, "/etc/");
      const std::string dir = parent_of(pattern);
      const auto kids = fs.children.find(dir);
      if (kids == fs.children.end()) continue;
      for (const auto& name : kids->second) {  // sorted, like glob(3)
        const std::string candidate = join_path(dir, name);
        if (glob_match(pattern.c_str(), candidate.c_str())) read_ld_conf(fs, candidate, dirs, depth + 1);
      }
      continue;
    }
    dirs.push_back(line);
  }
}

}  // namespace

namespace {

// The fields of the line of a colon-separated database (/etc/passwd, /etc/group) whose
// field `column` equals `value`.
std::optional<std::vector<std::string>> db_entry(const Filesystem& fs, const std::string& path, std::size_t column,
                                                 const std::string& value) {
  const auto content = captured_content(fs, path);
  if (!content) return std::nullopt;
  std::size_t i = 0;
  while (i < content->size()) {
    std::size_t j = content->find('\n', i);
    if (j == std::string::npos) j = content->size();
    std::vector<std::string> fields;
    std::size_t k = i;
    while (true) {
      const std::size_t colon = content->find(':', k);
      if (colon == std::string::npos || colon > j) {
        fields.push_back(content->substr(k, j - k));
        break;
      }
      fields.push_back(content->substr(k, colon - k));
      k = colon + 1;
    }
    i = j + 1;
    if (fields.size() > column && fields[column] == value) return fields;
  }
  return std::nullopt;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

UserIds resolve_user(const Filesystem& fs, const std::string& user) {
  const auto colon = user.find(':');
  const std::string name = user.substr(0, colon);
  const std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  UserIds ids;
  std::optional<std::vector<std::string>> passwd;
  if (all_digits(name)) {
    ids.uid = std::stoul(name);
    passwd = db_entry(fs, "/etc/passwd", 2, name);
  } else {
    passwd = db_entry(fs, "/etc/passwd", 0, name);
    if (!passwd || passwd->size() < 4 || !all_digits((*passwd)[2]))
      throw Error(ErrorCategory::input, "The image's USER `" + name + "` is not in its /etc/passwd. Use a numeric "
                                        "`USER uid:gid` or add the user to the image.");
    ids.uid = std::stoul((*passwd)[2]);
  }
  if (passwd && passwd->size() >= 4 && all_digits((*passwd)[3])) ids.gid = std::stoul((*passwd)[3]);
  if (!group.empty()) {
    if (all_digits(group)) {
      ids.gid = std::stoul(group);
    } else {
      const auto entry = db_entry(fs, "/etc/group", 0, group);
      if (!entry || entry->size() < 3 || !all_digits((*entry)[2]))
        throw Error(ErrorCategory::input, "The image's USER group `" + group + "` is not in its /etc/group.");
      ids.gid = std::stoul((*entry)[2]);
    }
  }
  return ids;
}

std::vector<std::string> library_dirs(const Filesystem& fs) {
  std::vector<std::string> candidates;
  read_ld_conf(fs, "/etc/ld.so.conf", candidates, 0);
  candidates.push_back("/lib");
  candidates.push_back("/usr/lib");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& dir : candidates) {
    const Node* node = nullptr;
    try {
      node = resolve_node(fs, dir);
    } catch (const Error&) {
      continue;
    }
    if (node && node->type == Node::Type::directory && seen.insert(dir).second) out.push_back(dir);
  }
  return out;
}

}  // namespace gsc::image
