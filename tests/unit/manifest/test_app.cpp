#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/app.hpp"

using namespace gsc::manifest;
using namespace std::string_literals;

TEST_CASE("app_command: the original's hello-world CMD gives the exact trusted argv", "[argv]") {
  const auto c = app_command({std::nullopt,
                              std::vector<std::string>{"echo", "\"Hello World! Let's check escaped symbols: < & > \""},
                              {"PATH=/usr/bin:/bin"}, "", ""});
  CHECK(c.binary == "echo");
  CHECK(c.binary_basename == "echo");
  CHECK(c.trusted_argv == "/gramine/app_files/echo\0\"Hello World! Let's check escaped symbols: < & > \"\0"s);
  CHECK(c.working_dir == "/");
  CHECK(c.user == "root");
  CHECK(c.path == "/usr/bin:/bin");
}

TEST_CASE("app_command: ENTRYPOINT with two items plus CMD keeps every CMD item (not the original's off-by-one)",
          "[argv]") {
  const auto c = app_command({std::vector<std::string>{"./bin/run", "--fixed"}, std::vector<std::string>{"default-arg"},
                              {}, "/srv", "app"});
  CHECK(c.argv == std::vector<std::string>{"./bin/run", "--fixed", "default-arg"});
  CHECK(c.binary == "/srv/./bin/run");
  CHECK(c.binary_basename == "run");
  CHECK(c.binary_arguments == std::vector<std::string>{"--fixed"});
  CHECK(c.cmd == std::vector<std::string>{"default-arg"});
  CHECK(c.trusted_argv == "/gramine/app_files/run\0--fixed\0default-arg\0"s);
  CHECK(c.working_dir == "/srv/");
  CHECK(c.user == "app");
}

TEST_CASE("app_command: no ENTRYPOINT nor CMD is the original's error", "[argv]") {
  CHECK_THROWS_WITH(app_command({std::nullopt, std::nullopt, {}, "", ""}),
                    Catch::Contains("cannot find the entrypoint binary"));
  CHECK_THROWS_AS(app_command({std::vector<std::string>{}, std::vector<std::string>{}, {}, "", ""}), gsc::Error);
}

TEST_CASE("app_command: env values kept raw, newline values skipped with a note", "[env]") {
  const auto c = app_command({std::nullopt, std::vector<std::string>{"/bin/true"},
                              {"A=x=y", "Q=say \"hi\" \\", "NL=a\nb", "EMPTY="}, "", ""});
  REQUIRE(c.env.size() == 3);
  CHECK(c.env[0].name == "A");
  CHECK(c.env[0].value == "x=y");
  CHECK(c.env[1].value == "say \"hi\" \\");
  CHECK(c.env[2].name == "EMPTY");
  REQUIRE(c.notes.size() == 1);
  CHECK(c.notes[0].find("`NL`") != std::string::npos);
}

TEST_CASE("distro detection from os-release", "[distro]") {
  CHECK(distro_from_os_release("ID=debian\nVERSION_ID=\"12\"\n").name == "debian:12");
  CHECK(distro_from_os_release("ID=ubuntu\nVERSION_ID=\"22.04\"\n").name == "ubuntu:22.04");
  CHECK(distro_from_os_release("ID=\"centos\"\nVERSION_ID=\"9\"\n").name == "quay.io/centos/centos:stream9");
  CHECK(distro_from_os_release("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n").name == "redhat/ubi9:9.4");
  CHECK(distro_from_os_release("ID=\"sles\"\nVERSION_ID=\"15.6.1\"\n").name == "registry.suse.com/suse/sle15:15.6");
  CHECK_THROWS_WITH(distro_from_os_release("ID=alpine\nVERSION_ID=3.20\n"), Catch::Contains("Set `Distro`"));
  CHECK(parse_distro("redhat/ubi9-minimal:9.4").minimal);
  CHECK_THROWS_AS(parse_distro("fedora:40"), gsc::Error);
  CHECK(distro_has_recent_meson(parse_distro("debian:12")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("debian:11")));
  CHECK(distro_has_recent_meson(parse_distro("ubuntu:23.04")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("ubuntu:22.04")));
}
