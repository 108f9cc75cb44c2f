#include "image/scan_cache.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

namespace gsc::image {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'G', 'S', 'C', 'S', 'C', 'A', 'N', '2'};
constexpr char kStringsMagic[8] = {'G', 'S', 'C', 'L', 'I', 'S', 'T', '1'};
constexpr std::size_t kDigest = 32;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_bytes(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  bool u64(std::uint64_t& v) {
    if (bytes_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return true;
  }
  bool bytes(std::string& s) {
    std::uint64_t n;
    if (!u64(n) || bytes_.size() - pos_ < n) return false;
    s.assign(bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

std::string sha256_raw(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes all of `data` to a new file and syncs it; false on any failure (nothing is left).
bool write_new_file(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) ::unlink(path.c_str());
  return ok;
}

}  // namespace

std::string serialize_scan(const ScanResult& r) {
  std::string out(kMagic, sizeof kMagic);
  put_u64(out, r.files);
  put_u64(out, r.bytes_hashed);
  // Sorted by path: the same scan gives the same bytes.
  std::vector<const std::pair<const std::string, Node>*> nodes;
  nodes.reserve(r.fs.nodes.size());
  for (const auto& entry : r.fs.nodes) nodes.push_back(&entry);
  std::sort(nodes.begin(), nodes.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  put_u64(out, nodes.size());
  for (const auto* entry : nodes) {
    const Node& n = entry->second;
    put_bytes(out, entry->first);
    put_u64(out, static_cast<std::uint64_t>(n.type));
    put_u64(out, n.mode);
    put_u64(out, n.size);
    put_bytes(out, n.sha256);
    put_bytes(out, n.target);
  }
  put_u64(out, r.fs.captured.size());
  for (const auto& [path, content] : r.fs.captured) {
    put_bytes(out, path);
    put_bytes(out, content);
  }
  put_u64(out, r.fs.script_heads.size());
  for (const auto& [path, head] : r.fs.script_heads) {
    put_bytes(out, path);
    put_bytes(out, head);
  }
  out += sha256_raw(out);
  return out;
}

std::optional<ScanResult> deserialize_scan(const std::string& bytes) {
  if (bytes.size() < sizeof kMagic + kDigest || bytes.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  const std::string_view body(bytes.data(), bytes.size() - kDigest);
  if (sha256_raw(body) != bytes.substr(bytes.size() - kDigest)) return std::nullopt;
  Cursor c(body.substr(sizeof kMagic));
  ScanResult r;
  std::uint64_t count;
  if (!c.u64(r.files) || !c.u64(r.bytes_hashed) || !c.u64(count)) return std::nullopt;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string path;
    Node n;
    std::uint64_t type, mode;
    if (!c.bytes(path) || !c.u64(type) || !c.u64(mode) || !c.u64(n.size) || !c.bytes(n.sha256) || !c.bytes(n.target))
      return std::nullopt;
    if (type > static_cast<std::uint64_t>(Node::Type::other) || path.empty() || path.front() != '/') return std::nullopt;
    n.type = static_cast<Node::Type>(type);
    n.mode = static_cast<unsigned>(mode);
    if (path != "/") r.fs.children[parent_of(path)].insert(path.substr(path.rfind('/') + 1));
    r.fs.nodes.emplace(std::move(path), std::move(n));
  }
  if (!c.u64(count)) return std::nullopt;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string path, content;
    if (!c.bytes(path) || !c.bytes(content)) return std::nullopt;
    r.fs.captured.emplace(std::move(path), std::move(content));
  }
  if (!c.u64(count)) return std::nullopt;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string path, head;
    if (!c.bytes(path) || !c.bytes(head)) return std::nullopt;
    r.fs.script_heads.emplace(std::move(path), std::move(head));
  }
  if (!c.done() || !r.fs.nodes.count("/")) return std::nullopt;
  return r;
}

ScanCache::ScanCache(std::string directory, Limits limits) : directory_(std::move(directory)), limits_(limits) {}

std::string ScanCache::default_directory() {
  const auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v && *v ? v : "";
  };
  if (const auto dir = env("GSC_CACHE_DIR"); !dir.empty()) return dir + "/scans";
  if (const auto dir = env("XDG_CACHE_HOME"); !dir.empty()) return dir + "/gsc/scans";
  if (const auto dir = env("HOME"); !dir.empty()) return dir + "/.cache/gsc/scans";
  return "";
}

std::string ScanCache::path_of(const std::string& key) const {
  return directory_ + "/" + sha256_hex(key).substr(0, 40) + ".scan";
}

std::optional<std::string> ScanCache::read_entry(const std::string& key) const {
  if (directory_.empty()) return std::nullopt;
  std::ifstream in(path_of(key), std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void ScanCache::write_entry(const std::string& key, const std::string& bytes) const {
  if (directory_.empty()) return;
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) return;
  ::chmod(directory_.c_str(), 0700);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::string tmp = directory_ + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rng());
  if (!write_new_file(tmp, bytes)) return;
  if (::rename(tmp.c_str(), path_of(key).c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  evict();
}

std::optional<ScanResult> ScanCache::load(const std::string& key) const {
  const auto bytes = read_entry(key);
  if (!bytes) return std::nullopt;
  auto result = deserialize_scan(*bytes);
  std::error_code ec;
  if (!result) {
    fs::remove(path_of(key), ec);  // damaged: never served, and gone for the next run
    return std::nullopt;
  }
  fs::last_write_time(path_of(key), fs::file_time_type::clock::now(), ec);  // recently used
  return result;
}

void ScanCache::store(const std::string& key, const ScanResult& result) const { write_entry(key, serialize_scan(result)); }

std::optional<std::vector<std::string>> ScanCache::load_strings(const std::string& key) const {
  const auto bytes = read_entry(key);
  if (!bytes) return std::nullopt;
  std::error_code ec;
  const auto damaged = [&]() -> std::optional<std::vector<std::string>> {
    fs::remove(path_of(key), ec);
    return std::nullopt;
  };
  if (bytes->size() < sizeof kStringsMagic + kDigest ||
      bytes->compare(0, sizeof kStringsMagic, kStringsMagic, sizeof kStringsMagic) != 0)
    return damaged();
  const std::string_view body(bytes->data(), bytes->size() - kDigest);
  if (sha256_raw(body) != bytes->substr(bytes->size() - kDigest)) return damaged();
  Cursor c(body.substr(sizeof kStringsMagic));
  std::uint64_t count;
  if (!c.u64(count)) return damaged();
  std::vector<std::string> out;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string s;
    if (!c.bytes(s)) return damaged();
    out.push_back(std::move(s));
  }
  if (!c.done()) return damaged();
  fs::last_write_time(path_of(key), fs::file_time_type::clock::now(), ec);
  return out;
}

void ScanCache::store_strings(const std::string& key, const std::vector<std::string>& strings) const {
  std::string out(kStringsMagic, sizeof kStringsMagic);
  put_u64(out, strings.size());
  for (const auto& s : strings) put_bytes(out, s);
  out += sha256_raw(out);
  write_entry(key, out);
}

// Oldest entries out until the limits hold; temporary files of crashed runs (an hour old) too.
void ScanCache::evict() const {
  struct Item {
    fs::path path;
    fs::file_time_type time;
    std::uint64_t size;
  };
  std::vector<Item> items;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& e : fs::directory_iterator(directory_, ec)) {
    std::error_code e2;
    const auto name = e.path().filename().string();
    const auto time = e.last_write_time(e2);
    if (e2) continue;
    if (name.rfind(".tmp-", 0) == 0) {
      if (now - time > std::chrono::hours(1)) fs::remove(e.path(), e2);
      continue;
    }
    if (e.path().extension() != ".scan") continue;
    const auto size = e.file_size(e2);
    if (!e2) items.push_back({e.path(), time, size});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.time > b.time; });
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    total += items[i].size;
    if (i >= limits_.max_entries || (i > 0 && total > limits_.max_bytes)) fs::remove(items[i].path, ec);
  }
}

}  // namespace gsc::image
