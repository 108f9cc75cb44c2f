// image/scan_cache: entries round-trip, damaged or foreign entries are never served, the
// cache stays within its limits, concurrent writers never leave a torn entry.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "image/scan_cache.hpp"

using namespace gsc::image;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tpl[] = "/tmp/gsc-unit-cache.XXXXXX";
    path = mkdtemp(tpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

ScanResult sample(const std::string& tag) {
  ScanResult r;
  r.files = 2;
  r.bytes_hashed = 12;
  r.fs.nodes["/"].type = Node::Type::directory;
  r.fs.nodes["/etc"].type = Node::Type::directory;
  Node f;
  f.type = Node::Type::file;
  f.size = 6;
  f.mode = 0644;
  f.sha256 = std::string(64, 'a');
  r.fs.nodes["/etc/os-release"] = f;
  Node l;
  l.type = Node::Type::symlink;
  l.target = "../usr/lib/" + tag;
  r.fs.nodes["/etc/link\nwith newline"] = l;
  r.fs.children["/"] = {"etc"};
  r.fs.children["/etc"] = {"link\nwith newline", "os-release"};
  r.fs.captured["/etc/os-release"] = "ID=" + tag + "\n";
  return r;
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".scan") out.push_back(e.path());
  return out;
}

}  // namespace

TEST_CASE("a stored scan loads back equal, under its key only", "[scan_cache]") {
  TempDir dir;
  const ScanCache cache(dir.path.string());
  CHECK_FALSE(cache.load("k1"));
  cache.store("k1", sample("one"));
  const auto loaded = cache.load("k1");
  REQUIRE(loaded);
  CHECK(loaded->files == 2);
  CHECK(loaded->bytes_hashed == 12);
  CHECK(loaded->fs.nodes.at("/etc/os-release").sha256 == std::string(64, 'a'));
  CHECK(loaded->fs.nodes.at("/etc/link\nwith newline").target == "../usr/lib/one");
  CHECK(loaded->fs.children.at("/etc") == std::set<std::string>{"link\nwith newline", "os-release"});
  CHECK(loaded->fs.captured.at("/etc/os-release") == "ID=one\n");
  CHECK(serialize_scan(*loaded) == serialize_scan(sample("one")));
  CHECK_FALSE(cache.load("k2"));
  CHECK((fs::status(dir.path).permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("a damaged entry is never served and is removed", "[scan_cache]") {
  TempDir dir;
  const ScanCache cache(dir.path.string());
  cache.store("k", sample("x"));
  const auto files = entries(dir.path);
  REQUIRE(files.size() == 1);
  SECTION("one flipped byte") {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  SECTION("cut short, as by a crash in the middle of a write") {
    fs::resize_file(files[0], fs::file_size(files[0]) / 2);
  }
  SECTION("empty") { fs::resize_file(files[0], 0); }
  CHECK_FALSE(cache.load("k"));
  CHECK_FALSE(fs::exists(files[0]));
}

TEST_CASE("the cache keeps its limits, dropping the least recently used", "[scan_cache]") {
  TempDir dir;
  const ScanCache cache(dir.path.string(), {.max_entries = 3, .max_bytes = 1 << 20});
  for (int i = 0; i < 3; ++i) {
    cache.store("k" + std::to_string(i), sample(std::to_string(i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(cache.load("k0"));  // now the most recently used
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  cache.store("k3", sample("3"));
  CHECK(entries(dir.path).size() == 3);
  CHECK(cache.load("k0"));
  CHECK_FALSE(cache.load("k1"));
  CHECK(cache.load("k3"));
  const ScanCache tiny(dir.path.string(), {.max_entries = 10, .max_bytes = 1});
  tiny.store("k4", sample("4"));
  CHECK(entries(dir.path).size() == 1);  // the newest stays even when alone it exceeds the bytes
}

TEST_CASE("concurrent writers of one key leave one whole entry", "[scan_cache]") {
  TempDir dir;
  const ScanCache cache(dir.path.string());
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) cache.store("same", sample("w" + std::to_string(t)));
    });
  for (auto& w : writers) w.join();
  CHECK(cache.load("same"));
  std::size_t temporaries = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) temporaries += e.path().filename().string().rfind(".tmp-", 0) == 0;
  CHECK(temporaries == 0);
}

TEST_CASE("an unwritable cache directory costs nothing but the cache", "[scan_cache]") {
  const ScanCache cache("/proc/gsc-no-such-cache");
  cache.store("k", sample("x"));
  CHECK_FALSE(cache.load("k"));
  CHECK_FALSE(ScanCache("").load("k"));
}

TEST_CASE("string lists round-trip, a damaged one is never served, a scan is not a list", "[scan_cache]") {
  TempDir dir;
  const ScanCache cache(dir.path.string());
  const std::vector<std::string> strings{"/gramine/gsc/sgx-loader", "", std::string("\0\x7f" "ELF", 5)};
  cache.store_strings("list", strings);
  CHECK(cache.load_strings("list") == strings);
  CHECK_FALSE(cache.load_strings("other"));

  for (const auto& e : fs::directory_iterator(dir.path)) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('X');
  }
  CHECK_FALSE(cache.load_strings("list"));
  CHECK(fs::is_empty(dir.path));  // removed

  cache.store_strings("list", strings);
  CHECK_FALSE(cache.load("list"));  // another format under the same key: not a scan
}
