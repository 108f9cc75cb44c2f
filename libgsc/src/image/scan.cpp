#include "image/scan.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <chrono>
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

// Hashes whole small files on worker threads; the reader blocks when too much is queued. Each
// job writes its own result slot, never a Node: the stream may list a path again, and the main
// thread then replaces that path's node while a worker still hashes the old entry.
class HashPool {
 public:
  HashPool(unsigned threads, std::stop_token stop) : stop_(std::move(stop)) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~HashPool() { finish(); }

  void submit(std::string* result, std::string data) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return in_flight_ + data.size() <= kMaxInFlight || in_flight_ == 0; });
    in_flight_ += data.size();
    jobs_.push_back({result, std::move(data)});
    ready_.notify_one();
  }

  // Waits for every job; the result slots are complete afterwards.
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
    std::string* result;  // a slot of its own, read only after finish()
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
      if (!stop_.stop_requested()) *job.result = sha256_hex(job.data);  // stopped: the result is never read
      {
        std::lock_guard lock(mutex_);
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
  std::stop_token stop_;
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

namespace {

// One pass over the stream: the nodes, and where each small file's hash will land.
class Scanner {
 public:
  Scanner(ScanResult& result, const ScanOptions& options) : result_(result), fs_(result.fs), options_(options) {}

  void run(ByteSource& export_stream) {
    fs_.nodes["/"].type = Node::Type::directory;
    const unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    HashPool pool(threads, options_.stop);
    tar::Reader reader(export_stream);
    while (auto entry = reader.next()) {
      check_stop();
      check_length(entry->path, entry->path);
      if (entry->path == "/") continue;
      add_to_tree(fs_, entry->path);
      forget(entry->path);  // a path listed again: the later entry is what the filesystem holds
      Node& node = fs_.nodes[entry->path];
      node = Node{};
      node.mode = entry->mode;
      switch (entry->type) {
        case tar::EntryType::directory: node.type = Node::Type::directory; break;
        case tar::EntryType::symlink:
          check_length(entry->link_target, entry->path);
          node.type = Node::Type::symlink;
          node.target = entry->link_target;
          break;
        case tar::EntryType::hardlink:
          check_length(entry->link_target, entry->path);
          link(entry->path, node, entry->link_target);
          break;
        case tar::EntryType::other: node.type = Node::Type::other; break;
        case tar::EntryType::file: read_file(reader, *entry, node, pool); break;
      }
      maybe_report();
    }
    pool.finish();
    check_stop();
    if (options_.on_progress) options_.on_progress(result_.files, bytes_read_, true);
    for (const auto& [path, slot] : pending_) fs_.nodes[path].sha256 = *slot;
  }

 private:
  void check_stop() const {
    if (options_.stop.stop_requested()) throw Error(ErrorCategory::cancelled, "Cancelled on request while hashing the image's files.");
  }

  // Linux refuses longer paths (PATH_MAX), and so Gramine; a limit also keeps a crafted
  // stream's deep paths (each parent a node) from taking memory quadratic in their length.
  static void check_length(const std::string& text, const std::string& path) {
    if (text.size() >= kMaxPath)
      throw Error(ErrorCategory::input, "The image has a path or link target of " + std::to_string(text.size()) +
                                            " bytes at `" + tar::printable_path(path) + "`, more than Linux opens (" +
                                            std::to_string(kMaxPath - 1) + "). Shorten it or remove it from the image.");
  }

  // Progress for the caller, from this (the reading) thread: by bytes or by time.
  void maybe_report() {
    if (!options_.on_progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (bytes_read_ - reported_bytes_ < kProgressBytes && now - reported_at_ < std::chrono::milliseconds(kProgressIntervalMs))
      return;
    reported_bytes_ = bytes_read_;
    reported_at_ = now;
    options_.on_progress(result_.files, bytes_read_, false);
  }

  void forget(const std::string& path) {
    pending_.erase(path);
    if (const auto it = fs_.captured.find(path); it != fs_.captured.end()) {
      captured_bytes_ -= it->second.size();
      fs_.captured.erase(it);
    }
    fs_.script_heads.erase(path);
  }

  // A hard link is another name of what its target was when the stream listed it: a file (its
  // hash, even one still being computed), a symlink (same target text), or anything else
  // (a fifo, a device: no file to trust). Files of one inode share a group (Node::target).
  void link(const std::string& path, Node& node, const std::string& target_path) {
    node.type = Node::Type::other;
    const auto it = fs_.nodes.find(target_path);
    if (it == fs_.nodes.end() || target_path == path) return;  // not listed before: nothing to link to
    Node& target = it->second;
    if (target.type == Node::Type::symlink) {
      node.type = Node::Type::symlink;
      node.target = target.target;
      return;
    }
    if (target.type != Node::Type::file) return;
    if (target.target.empty()) target.target = target_path;  // the first name leads its group
    node.type = Node::Type::file;
    node.size = target.size;
    node.mode = target.mode;
    node.sha256 = target.sha256;
    node.target = target.target;
    if (const auto slot = pending_.find(target_path); slot != pending_.end()) pending_[path] = slot->second;
    ++result_.files;
  }

  void read_file(tar::Reader& reader, const tar::Entry& entry, Node& node, HashPool& pool) {
    node.type = Node::Type::file;
    node.size = entry.size;
    ++result_.files;
    result_.bytes_hashed += entry.size;
    const bool keep = options_.capture && options_.capture(entry.path);
    if (keep) {
      if (entry.size > kMaxCapturedFile)
        throw Error(ErrorCategory::input, "`" + tar::printable_path(entry.path) + "` in the image has " +
                                              std::to_string(entry.size) + " bytes, more than gsc reads of a system "
                                              "configuration file (" + std::to_string(kMaxCapturedFile) +
                                              "). Shrink it or remove it from the image.");
      if (captured_bytes_ + entry.size > kMaxCapturedTotal)
        throw Error(ErrorCategory::input, "The image's configuration files that gsc reads (os-release, passwd, group, "
                                          "ld.so.conf and /etc/ld.so.conf.d) pass " + std::to_string(kMaxCapturedTotal) +
                                          " bytes at `" + tar::printable_path(entry.path) + "`. Remove what the image "
                                          "does not need there.");
      captured_bytes_ += entry.size;
    }
    if (entry.size <= kSmallFile || keep) {
      std::string data;
      data.reserve(entry.size);
      while (const std::size_t n = reader.read(chunk_.data(), chunk_.size())) data.append(chunk_.data(), n);
      bytes_read_ += data.size();
      if (keep) fs_.captured[entry.path] = data;
      keep_script_head(fs_, entry.path, entry.mode, data.data(), data.size());
      std::string* slot = &hashes_.emplace_back();
      pending_[entry.path] = slot;
      pool.submit(slot, std::move(data));
      return;
    }
    Sha256 sha;  // a big file: hashed as it streams by, never held whole
    bool first = true;
    while (const std::size_t n = reader.read(chunk_.data(), chunk_.size())) {
      check_stop();
      if (first) keep_script_head(fs_, entry.path, entry.mode, chunk_.data(), n);
      first = false;
      sha.update(chunk_.data(), n);
      bytes_read_ += n;
      maybe_report();
    }
    node.sha256 = sha.hex();
  }

  ScanResult& result_;
  Filesystem& fs_;
  const ScanOptions& options_;
  std::vector<char> chunk_ = std::vector<char>(kChunk);
  std::deque<std::string> hashes_;                            // the workers' result slots (stable addresses)
  std::unordered_map<std::string, std::string*> pending_;    // path -> the slot its hash lands in
  std::uint64_t captured_bytes_ = 0;
  std::uint64_t bytes_read_ = 0;       // file contents read so far
  std::uint64_t reported_bytes_ = 0;   // ... when progress was last reported
  std::chrono::steady_clock::time_point reported_at_ = std::chrono::steady_clock::now();
};

}  // namespace

ScanResult scan(ByteSource& export_stream, const ScanOptions& options) {
  ScanResult result;
  Scanner(result, options).run(export_stream);
  return result;
}

std::optional<std::string> resolve(const Filesystem& fs, const std::string& start) {
  std::vector<std::string> pending = split(start);
  std::reverse(pending.begin(), pending.end());  // a stack: back() is the next component
  std::string current = "/";
  bool directory = true;  // whether `current` is one: anything after a file fails, "." and ".." too (ENOTDIR)
  int hops = 0;
  while (!pending.empty()) {
    const std::string part = pending.back();
    pending.pop_back();
    if (!directory) return std::nullopt;
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
      directory = it->second.type == Node::Type::directory;
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

// fnmatch-style '*' and '?' on one path ('*' and '?' never match '/'; no character classes in
// ld.so.conf in practice). No backtracking beyond the last '*': a mismatch resumes from it, so
// a pattern of many '*' costs at most pattern x text steps, never exponential time. Each
// step spends one unit of `budget`; std::nullopt when it runs out.
std::optional<bool> glob_match(std::string_view pattern, std::string_view text, std::uint64_t& budget) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_text = 0;  // the last '*' and where its match ends
  while (t < text.size()) {
    if (budget == 0) return std::nullopt;
    --budget;
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && (pattern[p] == text[t] || (pattern[p] == '?' && text[t] != '/'))) {
      if (text[t] == '/') star = std::string_view::npos;  // a '*' before a '/' can take no more
      ++p;
      ++t;
    } else if (star != std::string_view::npos && text[star_text] != '/') {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// The /etc/ld.so.conf tree, each file read once (includes may repeat, nest or loop).
class LdConfReader {
 public:
  explicit LdConfReader(const Filesystem& fs) : fs_(fs) {}

  void read(const std::string& path, std::vector<std::string>& dirs) {
    if (!read_.insert(path).second) return;
    const auto content = captured_content(fs_, path);
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
        include(path, line.substr(line.find_first_not_of(" \t", 7)), dirs);
        continue;
      }
      dirs.push_back(line);
    }
  }

 private:
  static constexpr std::size_t kMaxIncludes = 256;  // include lines followed in all (Debian has 1)

  void include(const std::string& from, std::string pattern, std::vector<std::string>& dirs) {
    if (pattern.front() != '/') pattern.insert(0, "/etc/");
    if (!patterns_.insert(pattern).second) return;  // the same files again: already read
    if (patterns_.size() > kMaxIncludes)
      throw Error(ErrorCategory::input, "The image's ld.so.conf files include more than " +
                                            std::to_string(kMaxIncludes) + " patterns (`" +
                                            tar::printable_path(from) + "` adds `" + tar::printable_path(pattern) +
                                            "`). Remove the include lines it does not need.");
    const std::string dir = parent_of(pattern);
    const auto kids = fs_.children.find(dir);
    if (kids == fs_.children.end()) return;
    for (const auto& name : kids->second) {  // sorted, like glob(3)
      const std::string candidate = join_path(dir, name);
      const auto match = glob_match(pattern, candidate, budget_);
      if (!match)
        throw Error(ErrorCategory::input, "The include pattern `" + tar::printable_path(pattern) + "` of `" +
                                              tar::printable_path(from) + "` in the image takes gsc too long to match. "
                                              "Simplify it (Debian's is `/etc/ld.so.conf.d/*.conf`).");
      if (*match) read(candidate, dirs);
    }
  }

  const Filesystem& fs_;
  std::set<std::string> read_;      // files read (or being read: a loop ends there)
  std::set<std::string> patterns_;  // include patterns followed
  std::uint64_t budget_ = 64 << 20;  // glob steps in all: a real image takes a few hundred
};

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

// Docker runs ids 0 to 2^31-1 (runc refuses more); Gramine's loader.uid/gid take them as they are.
constexpr unsigned long kMaxId = 2147483647;
constexpr const char* kIdRange = "(0 to 2147483647)";

// The value of an id of digits, std::nullopt when beyond kMaxId.
std::optional<unsigned long> parse_id(const std::string& digits) {
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  if (digits.size() - first > 10) return std::nullopt;
  const unsigned long value = std::stoul(digits.substr(first));
  if (value > kMaxId) return std::nullopt;
  return value;
}

// An id the image's USER names itself.
unsigned long user_id(const std::string& digits, const char* what) {
  const auto id = parse_id(digits);
  if (!id)
    throw Error(ErrorCategory::input, std::string("The image's USER ") + what + " `" + tar::printable_path(digits, 40) +
                                          "` is no id Docker can run " + std::string(kIdRange) +
                                          ". Fix USER in its Dockerfile.");
  return *id;
}

// An id of the image's /etc/passwd or /etc/group.
unsigned long database_id(const std::string& digits, const std::string& file, const std::string& name, const char* what) {
  const auto id = parse_id(digits);
  if (!id)
    throw Error(ErrorCategory::input, "The image's " + file + " gives `" + tar::printable_path(name, 80) + "` the " +
                                          what + " `" + tar::printable_path(digits, 40) + "`, which Docker cannot run " +
                                          kIdRange + ". Fix " + file + " in the image.");
  return *id;
}

}  // namespace

UserIds resolve_user(const Filesystem& fs, const std::string& user) {
  const auto colon = user.find(':');
  const std::string name = user.substr(0, colon);
  const std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  UserIds ids;
  std::optional<std::vector<std::string>> passwd;
  if (all_digits(name)) {
    ids.uid = user_id(name, "uid");
    passwd = db_entry(fs, "/etc/passwd", 2, name);
  } else {
    passwd = db_entry(fs, "/etc/passwd", 0, name);
    if (!passwd || passwd->size() < 4 || !all_digits((*passwd)[2]))
      throw Error(ErrorCategory::input, "The image's USER `" + tar::printable_path(name, 80) + "` is not in its "
                                        "/etc/passwd. Use a numeric `USER uid:gid` or add the user to the image.");
    ids.uid = database_id((*passwd)[2], "/etc/passwd", name, "uid");
  }
  if (passwd && passwd->size() >= 4 && all_digits((*passwd)[3]))
    ids.gid = database_id((*passwd)[3], "/etc/passwd", name, "gid");
  if (!group.empty()) {
    if (all_digits(group)) {
      ids.gid = user_id(group, "gid");
    } else {
      const auto entry = db_entry(fs, "/etc/group", 0, group);
      if (!entry || entry->size() < 3 || !all_digits((*entry)[2]))
        throw Error(ErrorCategory::input, "The image's USER group `" + tar::printable_path(group, 80) +
                                              "` is not in its /etc/group.");
      ids.gid = database_id((*entry)[2], "/etc/group", group, "gid");
    }
  }
  return ids;
}

std::vector<std::string> library_dirs(const Filesystem& fs) {
  std::vector<std::string> candidates;
  LdConfReader(fs).read("/etc/ld.so.conf", candidates);
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
