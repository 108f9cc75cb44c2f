// Hostile image content (issue #17): hard links to anything, links into excluded paths, the
// same path twice, "..", symlink webs, ld.so.conf loops and globs, huge config files, USER
// values beyond Docker's range, odd entry points and file names. Each ends in bounded time and
// memory, correctly or with one line naming the file.

#include <catch2/catch.hpp>

#include <algorithm>

#include "gsc/byte_source.hpp"
#include "gsc/error.hpp"
#include "image/content.hpp"
#include "image/entrypoint.hpp"
#include "image/scan.hpp"
#include "image/trusted_files.hpp"
#include "tar/writer.hpp"
#include "unit/raw_tar.hpp"

using namespace gsc;
using gsc_test::RawTar;

namespace {

image::ScanResult scan_of(const std::string& archive, unsigned threads = 2) {
  auto source = make_memory_source(archive);
  return image::scan(*source, {.capture = image::is_config_file_of_interest, .threads = threads});
}

std::map<std::string, std::string> listed(const image::Filesystem& fs) {
  std::map<std::string, std::string> out;
  for (const auto& f : image::trusted_files(fs, {}).files) out[f.path] = f.sha256;
  return out;
}

// The one-line input error `fn` throws.
template <typename Fn>
std::string input_error(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.what();
  }
  FAIL("no error");
  return "";
}

}  // namespace

TEST_CASE("hard links: to a file it is that file, to a fifo, device or symlink it is no trusted file", "[hostile][links]") {
  const auto fs = scan_of(RawTar()
                              .file("opt/x/data", "payload")
                              .hardlink("opt/x/data.hard", "opt/x/data")
                              .fifo("opt/x/fifo")
                              .hardlink("opt/x/fifo.hard", "opt/x/fifo")
                              .char_device("opt/x/null")
                              .hardlink("opt/x/null.hard", "opt/x/null")
                              .file("usr/bin/echo", "echo", 0755)
                              .symlink("opt/x/echo.sym", "/usr/bin/echo")
                              .hardlink("opt/x/echo.hard", "opt/x/echo.sym")
                              .hardlink("opt/x/gone.hard", "opt/x/never-listed")
                              .finish())
                      .fs;
  const auto files = listed(fs);
  CHECK(files.at("/opt/x/data.hard") == image::sha256_hex("payload"));
  CHECK(files.at("/opt/x/echo.hard") == image::sha256_hex("echo"));  // a symlink, as its other name
  CHECK(image::resolve(fs, "/opt/x/echo.hard") == "/usr/bin/echo");
  for (const char* none : {"/opt/x/fifo.hard", "/opt/x/null.hard", "/opt/x/gone.hard", "/opt/x/fifo", "/opt/x/null"})
    CHECK(files.count(none) == 0);
  for (const auto& [path, sha] : files) CHECK(sha.size() == 64);  // never `sha256 = ""`
}

TEST_CASE("exclusions hold for what a link leads to and for every name of a hard-linked file", "[hostile][links]") {
  const auto fs = scan_of(RawTar()
                              .file("etc/shadow", "root:*:")
                              .hardlink("opt/shadow.hard", "etc/shadow")
                              .symlink("opt/shadow.sym", "/etc/shadow")
                              .symlink("opt/etc", "/etc")
                              .file("opt/first", "secret")  // the first name is not excluded, a later one is
                              .hardlink("var/lib/app/key", "opt/first")
                              .file("opt/plain", "p")
                              .hardlink("opt/plain.hard", "opt/plain")
                              .finish())
                      .fs;
  const auto files = listed(fs);
  for (const char* none : {"/etc/shadow", "/opt/shadow.hard", "/opt/shadow.sym", "/opt/etc/shadow", "/opt/first",
                           "/var/lib/app/key"})
    CHECK(files.count(none) == 0);
  CHECK(files.count("/opt/plain") == 1);
  CHECK(files.count("/opt/plain.hard") == 1);
}

TEST_CASE("the same path twice: the later entry wins, also against a worker still hashing the earlier", "[hostile][scan]") {
  // Many queued small files keep the one hashing worker busy while /dup is listed again, as a
  // big file the reader hashes itself; the worker's late result for the first /dup must not
  // land on the second.
  RawTar tar;
  for (int i = 0; i < 400; ++i)
    tar.file("fill/f" + std::to_string(i), std::string(100000, static_cast<char>('a' + i % 26)));
  const std::string big(5 << 20, 'B');
  tar.file("dup", "small").file("dup", big);
  tar.hardlink("link", "target").file("target", "t").file("link", "replaced");  // a hard link, then a file
  tar.file("old", "first").hardlink("old.hard", "old").file("old", "second");     // a link keeps what it linked
  const auto fs = scan_of(tar.finish(), 1).fs;
  CHECK(fs.nodes.at("/dup").sha256 == image::sha256_hex(big));
  CHECK(fs.nodes.at("/dup").size == big.size());
  CHECK(fs.nodes.at("/link").sha256 == image::sha256_hex("replaced"));
  CHECK(fs.nodes.at("/old.hard").sha256 == image::sha256_hex("first"));
  CHECK(fs.nodes.at("/old").sha256 == image::sha256_hex("second"));
}

TEST_CASE("a path with `..` is refused, never kept as /../..", "[hostile][scan]") {
  const std::string archive = RawTar().file("ok", "1").file("../../escape-up", "x").finish();
  try {
    scan_of(archive);
    FAIL("scanned");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::daemon_api);
    CHECK_THAT(e.what(), Catch::Contains("`../../escape-up`"));
  }
  CHECK_THROWS_AS(scan_of(RawTar().hardlink("x", "../etc/shadow").finish()), Error);
}

TEST_CASE("paths and link targets longer than Linux opens are an input error naming them", "[hostile][scan]") {
  std::string deep;
  for (int i = 0; i < 2100; ++i) deep += "a/";
  const std::string too_deep = input_error([&] { scan_of(RawTar().file(deep + "f", "x").finish()); });
  CHECK_THAT(too_deep, Catch::Contains("`/a/a/a/") && Catch::Contains("..."));
  CHECK(too_deep.size() < 600);
  input_error([&] { scan_of(RawTar().symlink("l", "/" + std::string(5000, 'b')).finish()); });
  scan_of(RawTar().file(std::string(4000, 'c'), "fits").finish());
}

TEST_CASE("a huge captured config file is an input error naming it, before it is held", "[hostile][scan]") {
  std::string conf(1 << 20, '#');
  conf += "\n/opt/lib\n";
  const std::string one = input_error([&] { scan_of(RawTar().file("etc/ld.so.conf.d/big.conf", conf).finish()); });
  CHECK_THAT(one, Catch::Contains("`/etc/ld.so.conf.d/big.conf`") && Catch::Contains("1048586 bytes"));
  RawTar many;
  for (int i = 0; i < 17; ++i) many.file("etc/ld.so.conf.d/c" + std::to_string(i) + ".conf", std::string(1 << 20, '#'));
  CHECK_THAT(input_error([&] { scan_of(many.finish()); }), Catch::Contains("`/etc/ld.so.conf.d/c16.conf`"));
  // Files nobody captures may be of any size.
  scan_of(RawTar().file("opt/blob", std::string(3 << 20, 'x')).finish());
}

TEST_CASE("a web of symlinks to directories ends in one line naming a path, in bounded time", "[hostile][trusted]") {
  // d0 .. d53, each holding two links to the next: 2^53 paths.
  tar::Writer w;
  for (int i = 0; i < 53; ++i) {
    w.add_symlink("dag/d" + std::to_string(i) + "/a", "../d" + std::to_string(i + 1));
    w.add_symlink("dag/d" + std::to_string(i) + "/b", "../d" + std::to_string(i + 1));
    w.add_file("dag/d" + std::to_string(i) + "/f", "x");
  }
  w.add_file("dag/d53/f", "end");
  const auto fs = scan_of(w.finish()).fs;
  const std::string error = input_error([&] { image::trusted_files(fs, {}); });
  CHECK_THAT(error, Catch::Contains("symlinks to directories") && Catch::Contains("`/dag/d0/"));

  // Links with long names, each to the next directory: the path outgrows Linux's limit.
  tar::Writer longer;
  const std::string name(250, 'n');
  for (int i = 0; i < 20; ++i) longer.add_symlink("l/d" + std::to_string(i) + "/" + name, "../d" + std::to_string(i + 1));
  longer.add_file("l/d20/f", "x");
  CHECK_THAT(input_error([&] { image::trusted_files(scan_of(longer.finish()).fs, {}); }),
             Catch::Contains("longer than Linux opens") && Catch::Contains("`/l/d0/nnn"));

  tar::Writer cycle;
  cycle.add_symlink("d/again", ".");
  cycle.add_file("d/f", "x");
  const auto cyclic = image::trusted_files(scan_of(cycle.finish()).fs, {});  // a cycle: reported, not followed
  CHECK(cyclic.files.size() == 1);
}

TEST_CASE("ld.so.conf: includes that loop or repeat are read once, a glob of many `*` is quick", "[hostile][ldconf]") {
  tar::Writer w;
  w.add_file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
  for (int i = 0; i < 10; ++i) {
    w.add_file("etc/ld.so.conf.d/loop" + std::to_string(i) + ".conf",
               "include /etc/ld.so.conf.d/*.conf\ninclude /etc/ld.so.conf\n/opt/lib" + std::to_string(i) + "\n");
    w.add_directory("opt/lib" + std::to_string(i));
  }
  const auto dirs = image::library_dirs(scan_of(w.finish()).fs);
  CHECK(dirs.size() == 10);
  CHECK(dirs.front() == "/opt/lib0");

  tar::Writer g;
  g.add_file("etc/ld.so.conf", "include /etc/ld.so.conf.d/" + std::string(60, '*') + "b\n"
                               "include /etc/ld.so.conf.d/*a?c*.conf\n");
  g.add_file("etc/ld.so.conf.d/" + std::string(100, 'a'), "/opt/never\n");
  g.add_file("etc/ld.so.conf.d/xabc.conf", "/opt/yes\n");
  g.add_file("etc/ld.so.conf.d/abc.conf.d", "/opt/no\n");
  g.add_directory("opt/yes");
  g.add_directory("opt/never");
  g.add_directory("opt/no");
  CHECK(image::library_dirs(scan_of(g.finish()).fs) == std::vector<std::string>{"/opt/yes"});

  tar::Writer many;
  std::string includes;
  for (int i = 0; i < 300; ++i) includes += "include /etc/x" + std::to_string(i) + "\n";
  many.add_file("etc/ld.so.conf", includes);
  CHECK_THAT(input_error([&] { image::library_dirs(scan_of(many.finish()).fs); }),
             Catch::Contains("`/etc/ld.so.conf`") && Catch::Contains("more than 256"));
}

TEST_CASE("USER ids beyond Docker's range are input errors", "[hostile][user]") {
  tar::Writer w;
  w.add_file("etc/passwd", "root:x:0:0::/root:/bin/sh\nbig:x:99999999999:1::/:/bin/sh\nbiggid:x:5:4294967296::/:/bin/sh\n");
  w.add_file("etc/group", "huge:x:2147483648:\n");
  const auto fs = scan_of(w.finish()).fs;
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "4294967296"); }),
             Catch::Contains("USER uid `4294967296`") && Catch::Contains("0 to 2147483647"));
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "99999999999999999999999"); }),
             Catch::Contains("`99999999999999999999999`"));
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "0:4294967296"); }), Catch::Contains("gid `4294967296`"));
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "big"); }), Catch::Contains("/etc/passwd gives `big` the uid"));
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "biggid"); }), Catch::Contains("the gid `4294967296`"));
  CHECK_THAT(input_error([&] { image::resolve_user(fs, "root:huge"); }), Catch::Contains("/etc/group gives `huge`"));
  CHECK(image::resolve_user(fs, "2147483647").uid == 2147483647);
  CHECK(image::resolve_user(fs, "0001000:00").uid == 1000);
}

TEST_CASE("an entry point past a file (`/usr/bin/echo/.`) is refused as Linux does", "[hostile][entrypoint]") {
  tar::Writer w;
  w.add_file("usr/bin/echo", "echo", 0755);
  w.add_symlink("usr/local/bin/e", "/usr/bin/echo");
  const auto fs = scan_of(w.finish()).fs;
  for (const char* path : {"/usr/bin/echo/.", "/usr/bin/echo/..", "/usr/bin/echo/x", "/usr/local/bin/e/."}) {
    INFO(path);
    CHECK(image::follow_links(fs, path).end == image::LinkChain::End::not_directory);
    CHECK_THAT(input_error([&] { image::resolve_entrypoint(fs, path, "/usr/bin"); }),
               Catch::Contains("goes on past `/usr/bin/echo`, which is no directory"));
    CHECK_FALSE(image::resolve(fs, path));
  }
  CHECK(image::resolve_entrypoint(fs, "/usr/bin/./echo", "").real == "/usr/bin/echo");
}

TEST_CASE("names: non-UTF-8 under an excluded path is never looked at, an overlong one elsewhere is named",
          "[hostile][names]") {
  const auto fs = scan_of(RawTar()
                              .file("var/lib/bad\xffname", "x")
                              .directory("var/cache/\xff" "dir")
                              .file("var/cache/\xff" "dir/f", "y")
                              .file("etc/shadow\xff", "z")
                              .file("opt/ok", "ok")
                              .finish())
                      .fs;
  CHECK(listed(fs).size() == 1);
  CHECK(image::var_dirs(fs).empty());  // no place for a name no manifest can carry
  const auto overlong = scan_of(RawTar().file("opt/over\xc0\xaflong", "x").finish()).fs;
  CHECK_THAT(input_error([&] { image::trusted_files(overlong, {}); }), Catch::Contains("`/opt/over\\xc0\\xaflong`"));
  CHECK_FALSE(image::valid_utf8("\xed\xa0\x80"));  // a surrogate
  CHECK_FALSE(image::valid_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK(image::valid_utf8("caf\xc3\xa9 \xf0\x9f\x99\x82"));
}

TEST_CASE("entry point errors stay on one line whatever the image's names hold", "[hostile][entrypoint]") {
  tar::Writer w;
  w.add_file("usr/bin/echo", "echo", 0755);
  const auto fs = scan_of(w.finish()).fs;
  CHECK_THAT(input_error([&] { image::resolve_entrypoint(fs, "/opt/a\nb", "/usr/bin"); }),
             Catch::Contains("`/opt/a\\x0ab`"));
  CHECK_THAT(input_error([&] { image::resolve_entrypoint(fs, "x\ny", "/usr/bin:/a\nb"); }),
             Catch::Contains("`x\\x0ay`") && Catch::Contains("/a\\x0ab`"));
}
