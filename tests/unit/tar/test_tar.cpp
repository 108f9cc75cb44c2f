#include <catch2/catch.hpp>

#include <map>

#include "gsc/byte_source.hpp"
#include "tar/reader.hpp"
#include "tar/writer.hpp"
#include "unit/raw_tar.hpp"
#include "gsc/error.hpp"

using namespace gsc;

namespace {

struct Read {
  tar::EntryType type;
  unsigned mode;
  std::string content;  // file data or link target
};

std::map<std::string, Read> read_all(const std::string& archive) {
  auto source = make_memory_source(archive);
  tar::Reader reader(*source);
  std::map<std::string, Read> out;
  while (auto e = reader.next()) {
    Read r{e->type, e->mode, {}};
    r.content = e->type == tar::EntryType::file ? reader.read_all() : e->link_target;
    out[e->path] = r;
  }
  return out;
}

}  // namespace

TEST_CASE("tar round trip: files, modes, directories, symlinks, long names", "[tar]") {
  tar::Writer w;
  const std::string long_name = "deep/" + std::string(150, 'n') + "/file";
  w.add_file("app_files/apploader.sh", "#!/bin/bash\n", 0755);
  w.add_file("app_files/trusted_argv", std::string("a\0b\0", 4));
  w.add_symlink("app_files/python3", "/usr/bin/python3");
  w.add_directory("empty", 0700);
  w.add_file(long_name, "x");
  const auto entries = read_all(w.finish());
  CHECK(entries.at("/app_files/apploader.sh").content == "#!/bin/bash\n");
  CHECK(entries.at("/app_files/apploader.sh").mode == 0755);
  CHECK(entries.at("/app_files/trusted_argv").content == std::string("a\0b\0", 4));
  CHECK(entries.at("/app_files/trusted_argv").mode == 0644);
  CHECK(entries.at("/app_files/python3").type == tar::EntryType::symlink);
  CHECK(entries.at("/app_files/python3").content == "/usr/bin/python3");
  CHECK(entries.at("/app_files").type == tar::EntryType::directory);
  CHECK(entries.at("/empty").mode == 0700);
  CHECK(entries.at("/" + long_name).content == "x");
}

TEST_CASE("tar writer is deterministic whatever the insertion order", "[tar]") {
  tar::Writer a, b;
  a.add_file("z", "1");
  a.add_file("a/b", "2");
  a.add_symlink("l", "z");
  b.add_symlink("l", "z");
  b.add_file("a/b", "2");
  b.add_file("z", "1");
  CHECK(a.finish() == b.finish());
  CHECK(a.finish() == a.finish());
}

TEST_CASE("tar reader streams a large entry in chunks", "[tar]") {
  tar::Writer w;
  std::string big(5 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31);
  w.add_file("big.bin", big);
  auto source = make_memory_source(w.finish());
  tar::Reader reader(*source);
  auto e = reader.next();
  REQUIRE(e);
  CHECK(e->size == big.size());
  std::string got;
  char chunk[4096];
  while (std::size_t n = reader.read(chunk, sizeof chunk)) {
    CHECK(n <= sizeof chunk);
    got.append(chunk, n);
  }
  CHECK(got == big);
  CHECK_FALSE(reader.next());
}

TEST_CASE("normalize_path", "[tar]") {
  CHECK(tar::normalize_path("./usr/bin/") == "/usr/bin");
  CHECK(tar::normalize_path(".") == "/");
  CHECK(tar::normalize_path("etc//passwd") == "/etc/passwd");
  CHECK(tar::normalize_path("/abs") == "/abs");
}

TEST_CASE("normalize_path refuses `..`: a crafted stream cannot name paths outside the root", "[tar][hostile]") {
  CHECK_THROWS_AS(tar::normalize_path("../../escape-up"), gsc::Error);
  CHECK_THROWS_AS(tar::normalize_path("usr/../../x"), gsc::Error);
  CHECK(tar::normalize_path("a/..b/c..") == "/a/..b/c..");
  auto source = make_memory_source(gsc_test::RawTar().file("ok", "1").file("../../escape-up", "x").finish());
  tar::Reader reader(*source);
  CHECK(reader.next()->path == "/ok");
  try {
    reader.next();
    FAIL("read ../../escape-up");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::daemon_api);
    CHECK_THAT(e.what(), Catch::Contains("`../../escape-up`"));
  }
}

TEST_CASE("printable_path: control, non-ASCII and backquote bytes escaped, long paths cut", "[tar]") {
  CHECK(tar::printable_path("/opt/over\xc0\xaflong") == "/opt/over\\xc0\\xaflong");
  CHECK(tar::printable_path("a\nb`c") == "a\\x0ab\\x60c");
  CHECK(tar::printable_path(std::string(300, 'x'), 10) == "xxxxxxxxxx...");
}
