#include <catch2/catch.hpp>

#include "gsc/byte_source.hpp"
#include "gsc/error.hpp"
#include "image/content.hpp"
#include "image/entrypoint.hpp"
#include "tar/writer.hpp"

using namespace gsc;
using Strings = std::vector<std::string>;

namespace {

// Debian's JVM and Python layouts, with merged /usr, plus broken links.
image::Filesystem tree() {
  tar::Writer w;
  w.add_symlink("bin", "usr/bin");
  w.add_symlink("lib", "usr/lib");
  w.add_file("usr/lib/jvm/java-17-openjdk-amd64/bin/java", "\x7f" "ELF java", 0755);
  w.add_symlink("usr/lib/jvm/default-java", "java-17-openjdk-amd64");
  w.add_symlink("etc/alternatives/java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
  w.add_symlink("usr/bin/java", "/etc/alternatives/java");
  w.add_file("usr/bin/python3.11", "\x7f" "ELF python", 0755);
  w.add_symlink("usr/bin/python3", "python3.11");
  w.add_symlink("usr/local/bin/tool", "../../lib/jvm/default-java/bin/java");  // relative, "..", a dir link
  w.add_symlink("usr/local/bin/gone", "/opt/missing/bin/gone");
  w.add_symlink("usr/local/bin/loop-a", "loop-b");
  w.add_symlink("usr/local/bin/loop-b", "/usr/local/bin/loop-a");
  w.add_file("usr/local/bin/data.txt", "not a program", 0644);
  w.add_directory("usr/local/bin/adir");
  w.add_file("usr/sbin/gone", "#!/bin/sh\necho second\n", 0755);
  w.add_file("app/run.sh", "#!/usr/bin/env -S python3 -u\nprint(1)\n", 0755);
  w.add_file("var/www/html/index.html", "hi");
  w.add_file("var/www/html/img/a.png", "png");
  w.add_directory("var/lib/nginx");
  w.add_directory("var/lib/dpkg");
  w.add_file("var/log/nginx/error.log", "");
  w.add_file("var/lib/shells.state", "");
  auto source = make_memory_source(w.finish());
  return image::scan(*source, {.threads = 1}).fs;
}

const image::Filesystem& fs() {
  static const image::Filesystem f = tree();
  return f;
}

std::string error_of(const std::string& binary, const std::string& path = "/usr/local/bin:/usr/bin") {
  try {
    image::resolve_entrypoint(fs(), binary, path);
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::input);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    return e.what();
  }
  FAIL("resolved " + binary);
  return "";
}

}  // namespace

TEST_CASE("follow_links: absolute, relative and chained links, directory links and '..'", "[entrypoint]") {
  const auto java = image::follow_links(fs(), "/usr/bin/java");
  CHECK(java.end == image::LinkChain::End::file);
  CHECK(java.hops == Strings{"/usr/bin/java", "/etc/alternatives/java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"});
  CHECK(image::chain_text(java) ==
        "/usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  // /bin -> usr/bin (a directory link) then python3 -> python3.11 (relative).
  const auto python = image::follow_links(fs(), "/bin/python3");
  CHECK(python.end == image::LinkChain::End::file);
  CHECK(python.hops == Strings{"/bin/python3", "/usr/bin/python3", "/usr/bin/python3.11"});

  const auto tool = image::follow_links(fs(), "/usr/local/bin/tool");
  CHECK(tool.end == image::LinkChain::End::file);
  CHECK(tool.hops.back() == "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  const auto plain = image::follow_links(fs(), "/usr/bin/python3.11");
  CHECK(plain.hops == Strings{"/usr/bin/python3.11"});
  CHECK(image::follow_links(fs(), "/usr/local/bin/adir").end == image::LinkChain::End::directory);
}

TEST_CASE("follow_links: missing, dangling, loops, a file used as a directory", "[entrypoint]") {
  CHECK(image::follow_links(fs(), "/nope").end == image::LinkChain::End::missing);
  const auto gone = image::follow_links(fs(), "/usr/local/bin/gone");
  CHECK(gone.end == image::LinkChain::End::dangling);
  CHECK(gone.hops == Strings{"/usr/local/bin/gone", "/opt/missing/bin/gone"});
  const auto loop = image::follow_links(fs(), "/usr/local/bin/loop-a");
  CHECK(loop.end == image::LinkChain::End::loop);
  CHECK(loop.hops == Strings{"/usr/local/bin/loop-a", "/usr/local/bin/loop-b", "/usr/local/bin/loop-a"});
  CHECK(image::follow_links(fs(), "/usr/bin/python3.11/x").end == image::LinkChain::End::not_directory);
}

TEST_CASE("resolve_entrypoint: PATH lookup like execvp, the real file at the end", "[entrypoint]") {
  const auto java = image::resolve_entrypoint(fs(), "java", "/usr/local/bin:/usr/bin:/bin");
  CHECK(java.found == "/usr/bin/java");
  CHECK(java.real == "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
  CHECK(java.chain.size() == 3);

  const auto absolute = image::resolve_entrypoint(fs(), "/usr/bin/python3", "");
  CHECK(absolute.real == "/usr/bin/python3.11");
  CHECK(absolute.chain == Strings{"/usr/bin/python3", "/usr/bin/python3.11"});

  // A broken candidate earlier in PATH is skipped, as execvp skips it.
  const auto second = image::resolve_entrypoint(fs(), "gone", "/usr/local/bin:/usr/sbin");
  CHECK(second.real == "/usr/sbin/gone");
  // A relative PATH entry is ignored, and PATH entries with "//" or a trailing '/' work.
  CHECK(image::resolve_entrypoint(fs(), "python3", "bin:/usr//bin/").real == "/usr/bin/python3.11");
}

TEST_CASE("resolve_entrypoint: one line naming the chain when it cannot run", "[entrypoint]") {
  const std::string dangling = error_of("gone");
  CHECK_THAT(dangling, Catch::Contains("dangling link") &&
                           Catch::Contains("/usr/local/bin/gone -> /opt/missing/bin/gone") &&
                           Catch::Contains("`/opt/missing/bin/gone` is not in the image"));
  CHECK_THAT(error_of("/usr/local/bin/loop-a"),
             Catch::Contains("symlink loop") &&
                 Catch::Contains("/usr/local/bin/loop-a -> /usr/local/bin/loop-b -> /usr/local/bin/loop-a"));
  CHECK_THAT(error_of("/usr/local/bin/data.txt"), Catch::Contains("not executable") && Catch::Contains("0644"));
  CHECK_THAT(error_of("/usr/local/bin/adir"), Catch::Contains("is a directory"));
  CHECK_THAT(error_of("/opt/app"), Catch::Contains("cannot find the entrypoint binary `/opt/app` in the image"));
  CHECK_THAT(error_of("nothing"), Catch::Contains("`nothing` in the image's PATH (`/usr/local/bin:/usr/bin`)"));
  // A non-executable file along PATH is no candidate for execvp either: named when nothing else is found.
  CHECK_THAT(error_of("data.txt"), Catch::Contains("not executable"));
}

TEST_CASE("script_interpreter: #! lines, env and its options", "[entrypoint]") {
  CHECK(image::script_interpreter("#!/bin/sh\necho") == "/bin/sh");
  CHECK(image::script_interpreter("#! /bin/bash -e\n") == "/bin/bash");
  CHECK(image::script_interpreter("#!/usr/bin/env python3\n") == "python3");
  CHECK(image::script_interpreter("#!/usr/bin/env -S python3 -u\n") == "python3");
  CHECK(image::script_interpreter("#!/usr/bin/env A=b node") == "node");
  CHECK(image::script_interpreter("#!/usr/bin/perl") == "/usr/bin/perl");
  CHECK(image::script_interpreter("\x7f" "ELF...").empty());
  CHECK(image::script_interpreter("#!").empty());
  CHECK(image::script_interpreter("").empty());
}

TEST_CASE("count_files, exists and var_dirs: what the image holds at the places gsc reports", "[content]") {
  CHECK(image::count_files(fs(), "/var/www") == 2);
  CHECK(image::count_files(fs(), "/var/lib/nginx") == 0);
  CHECK(image::count_files(fs(), "/nope") == 0);
  CHECK(image::count_files(fs(), "/lib/jvm") == 1);  // through /lib -> usr/lib
  CHECK(image::exists(fs(), "/var/lib/nginx"));
  CHECK_FALSE(image::exists(fs(), "/var/tmp"));
  CHECK(image::var_dirs(fs()) == Strings{"/var/lib/dpkg", "/var/lib/nginx", "/var/log/nginx", "/var/www"});
}
