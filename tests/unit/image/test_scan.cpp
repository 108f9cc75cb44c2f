#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "gsc/byte_source.hpp"
#include "gsc/error.hpp"
#include "image/scan.hpp"
#include "image/trusted_files.hpp"
#include "tar/writer.hpp"

using namespace gsc;

namespace {

// A small Debian-like tree: merged /usr with /lib -> usr/lib, os-release via symlink, excluded paths.
std::string debian_like() {
  tar::Writer w;
  w.add_file("usr/lib/x86_64-linux-gnu/libc.so.6", "libc", 0755);
  w.add_symlink("lib", "usr/lib");
  w.add_symlink("bin", "usr/bin");
  w.add_file("usr/bin/python3.11", "python", 0755);
  w.add_symlink("usr/bin/python3", "python3.11");
  w.add_file("usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  w.add_symlink("etc/os-release", "../usr/lib/os-release");
  w.add_file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
  w.add_file("etc/ld.so.conf.d/x86_64-linux-gnu.conf", "# multiarch\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n");
  w.add_file("etc/ld.so.conf.d/libc.conf", "/usr/local/lib\n");
  w.add_file("etc/hosts", "127.0.0.1 build\n");
  w.add_file("etc/hostname", "build\n");
  w.add_file("etc/resolv.conf", "nameserver 1.1.1.1\n");
  w.add_file("etc/shadow", "root:*:\n");
  w.add_file("etc/passwd", "root:x:0:0::/root:/bin/bash\napp:x:1000:1001::/home/app:/bin/sh\n");
  w.add_file("etc/group", "root:x:0:\nstaff:x:50:\napp:x:1001:\n");
  w.add_file("var/log/x", "log");
  w.add_file("proc/x", "p");
  w.add_file("opt/data/file.txt", "payload");
  w.add_symlink("opt/data/link", "file.txt");
  w.add_symlink("opt/data/dangling", "nowhere");
  w.add_symlink("opt/loop/up", "..");         // a directory cycle
  w.add_symlink("opt/a", "b");                // a symlink loop
  w.add_symlink("opt/b", "a");
  return w.finish();
}

image::ScanResult scan_of(const std::string& archive) {
  auto source = make_memory_source(archive);
  return image::scan(*source, {.capture = image::is_config_file_of_interest, .threads = 2});
}

std::vector<std::string> paths_of(const image::TrustedFiles& t) {
  std::vector<std::string> out;
  for (const auto& f : t.files) out.push_back(f.path);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("scan hashes every file like OpenSSL does", "[scan]") {
  const auto result = scan_of(debian_like());
  const auto* node = image::resolve_node(result.fs, "/opt/data/file.txt");
  REQUIRE(node);
  CHECK(node->sha256 == image::sha256_hex("payload"));
  CHECK(image::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(result.bytes_hashed > 0);
}

TEST_CASE("resolve follows relative and absolute links, .. and symlinked directories", "[scan]") {
  const auto fs = scan_of(debian_like()).fs;
  CHECK(image::resolve(fs, "/lib/x86_64-linux-gnu/libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6");
  CHECK(image::resolve(fs, "/bin/python3") == "/usr/bin/python3.11");
  CHECK(image::resolve(fs, "/etc/os-release") == "/usr/lib/os-release");
  CHECK_FALSE(image::resolve(fs, "/opt/data/dangling"));
  CHECK_THROWS_AS(image::resolve(fs, "/opt/a"), gsc::Error);
  CHECK(image::captured_content(fs, "/etc/os-release") == std::string("ID=debian\nVERSION_ID=\"12\"\n"));
}

TEST_CASE("trusted files: both sides of /lib -> usr/lib, links under their own path, exclusions", "[trusted]") {
  const auto fs = scan_of(debian_like()).fs;
  const auto t = image::trusted_files(fs, {});
  const auto paths = paths_of(t);
  CHECK(has(paths, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  CHECK(has(paths, "/lib/x86_64-linux-gnu/libc.so.6"));
  CHECK(has(paths, "/bin/python3"));
  CHECK(has(paths, "/opt/data/link"));
  CHECK_FALSE(has(paths, "/opt/data/dangling"));
  for (const char* excluded : {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/shadow", "/var/log/x", "/proc/x"})
    CHECK_FALSE(has(paths, excluded));
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  const auto link = std::find_if(t.files.begin(), t.files.end(), [](auto& f) { return f.path == "/opt/data/link"; });
  CHECK(link->sha256 == image::sha256_hex("payload"));
  // The cycle and the loop terminate and are reported.
  CHECK(std::any_of(t.notes.begin(), t.notes.end(), [](auto& n) { return n.find("cycle") != std::string::npos; }));
  CHECK(std::any_of(t.notes.begin(), t.notes.end(), [](auto& n) { return n.find("loop") != std::string::npos; }));
}

TEST_CASE("trusted files: user-listed paths are not added twice, and exclusions are a parameter", "[trusted]") {
  const auto fs = scan_of(debian_like()).fs;
  image::TrustedFilesOptions options;
  options.already_listed = {"/opt/data/file.txt"};
  options.exclusions.push_back("/usr/.*");
  const auto paths = paths_of(image::trusted_files(fs, options));
  CHECK_FALSE(has(paths, "/opt/data/file.txt"));
  CHECK_FALSE(has(paths, "/usr/bin/python3.11"));
  CHECK_FALSE(has(paths, "/bin/python3"));  // shown under /bin, but the file is under /usr
  CHECK(has(paths, "/opt/data/link"));
}

TEST_CASE("trusted files: a newline in a name is skipped, non-UTF-8 is an error", "[trusted]") {
  tar::Writer w;
  w.add_file("ok", "1");
  w.add_file("bad\nname", "2");
  const auto t = image::trusted_files(scan_of(w.finish()).fs, {});
  CHECK(paths_of(t) == std::vector<std::string>{"/ok"});
  CHECK(t.notes.size() == 1);
  tar::Writer u;
  u.add_file("caf\xe9", "3");
  CHECK_THROWS_AS(image::trusted_files(scan_of(u.finish()).fs, {}), gsc::Error);
}

TEST_CASE("library_dirs follows the ld.so.conf includes in order", "[scan]") {
  const auto fs = scan_of(debian_like()).fs;
  // Only directories that exist: /usr/local/lib and its multiarch dir do not.
  CHECK(image::library_dirs(fs) ==
        std::vector<std::string>{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"});
}

TEST_CASE("lookup_in_path finds executables like which", "[scan]") {
  const auto fs = scan_of(debian_like()).fs;
  CHECK(image::lookup_in_path(fs, "/usr/local/bin:/usr/bin:/bin", "python3") == "/usr/bin/python3");
  CHECK(image::lookup_in_path(fs, "/bin", "python3") == "/bin/python3");
  CHECK_FALSE(image::lookup_in_path(fs, "/usr/bin", "os-release"));
  CHECK_FALSE(image::lookup_in_path(fs, "/usr/bin", "nothing"));
}

TEST_CASE("resolve_user: names, numbers, groups", "[scan]") {
  const auto fs = scan_of(debian_like()).fs;
  CHECK(image::resolve_user(fs, "root").uid == 0);
  CHECK(image::resolve_user(fs, "app").uid == 1000);
  CHECK(image::resolve_user(fs, "app").gid == 1001);
  CHECK(image::resolve_user(fs, "app:staff").gid == 50);
  CHECK(image::resolve_user(fs, "4242").uid == 4242);
  CHECK(image::resolve_user(fs, "4242:7").gid == 7);
  CHECK_THROWS_AS(image::resolve_user(fs, "ghost"), gsc::Error);
}

namespace {

// A tar stream of `files` files of `size` bytes each, generated as it is read: never in memory.
class GeneratedTar final : public ByteSource {
 public:
  GeneratedTar(std::size_t files, std::size_t size) : files_(files), size_(size) {}
  std::size_t read(void* buffer, std::size_t n) override {
    std::size_t done = 0;
    auto* out = static_cast<char*>(buffer);
    while (done < n) {
      if (pending_.empty() && !refill()) break;
      const std::size_t k = std::min(n - done, pending_.size() - offset_);
      std::memcpy(out + done, pending_.data() + offset_, k);
      offset_ += k;
      done += k;
      if (offset_ == pending_.size()) pending_.clear(), offset_ = 0;
    }
    return done;
  }

 private:
  bool refill() {
    if (index_ > files_) return false;
    if (index_ == files_) {
      pending_.assign(1024, '\0');  // end of archive
      ++index_;
      return true;
    }
    tar::Writer w;
    w.add_file("f" + std::to_string(index_), std::string(size_, static_cast<char>('a' + index_ % 26)));
    pending_ = w.finish();
    pending_.resize(pending_.size() - 1024);  // drop this archive's end marker: entries concatenate
    ++index_;
    return true;
  }
  std::size_t files_, size_, index_ = 0, offset_ = 0;
  std::string pending_;
};

}  // namespace

TEST_CASE("scan streams a 300 MB image in bounded memory and hashes it right", "[scan][large]") {
  GeneratedTar source(60, 5 << 20);
  const auto result = image::scan(source, {});
  CHECK(result.files == 60);
  CHECK(result.bytes_hashed == 60ull * (5 << 20));
  CHECK(image::resolve_node(result.fs, "/f7")->sha256 == image::sha256_hex(std::string(5 << 20, 'h')));
}

TEST_CASE("a stop request ends a scan with `cancelled`, between files and within a big one", "[scan][cancel]") {
  std::stop_source stopped;
  stopped.request_stop();
  auto source = make_memory_source(debian_like());
  try {
    image::scan(*source, {.threads = 2, .stop = stopped.get_token()});
    FAIL("scanned");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::cancelled);
  }
  // A stop requested by the stream's reader while a big file streams by.
  tar::Writer w;
  w.add_file("big", std::string(64 << 20, 'x'));
  w.add_file("after", "y");
  struct StopAfter : ByteSource {
    std::unique_ptr<ByteSource> inner;
    std::stop_source stop;
    std::size_t read_bytes = 0;
    std::size_t read(void* buffer, std::size_t size) override {
      const std::size_t n = inner->read(buffer, size);
      if ((read_bytes += n) > (8u << 20)) stop.request_stop();
      return n;
    }
  } reader;
  reader.inner = make_memory_source(w.finish());
  try {
    image::scan(reader, {.threads = 2, .stop = reader.stop.get_token()});
    FAIL("scanned");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::cancelled);
  }
  CHECK(reader.read_bytes < (32u << 20));  // it stopped well before the end
}
