#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/app.hpp"

using namespace gsc::manifest;
using Strings = std::vector<std::string>;

TEST_CASE("app_command: the original's hello-world CMD gives the exact trusted argv, argv[0] as written", "[argv]") {
  const auto c = app_command({std::nullopt, Strings{"echo", "\"Hello World! Let's check escaped symbols: < & > \""},
                              {"PATH=/usr/bin:/bin"}, "", ""});
  CHECK(c.binary == "echo");  // bare: the caller resolves it through the image's PATH
  CHECK(c.binary_arguments.empty());
  CHECK(c.cmd == Strings{"\"Hello World! Let's check escaped symbols: < & > \""});
  CHECK(c.argv == Strings{"echo", "\"Hello World! Let's check escaped symbols: < & > \""});
  CHECK(c.argv[1].size() == 50);
  CHECK(c.working_dir == "/");
  CHECK(c.user.empty());  // no USER: uid 0 without a passwd lookup
  CHECK(c.path == "/usr/bin:/bin");
}

TEST_CASE("app_command: ENTRYPOINT with two items plus CMD keeps every CMD item (not the original's off-by-one)",
          "[argv]") {
  const auto c = app_command({Strings{"./bin/run", "--fixed"}, Strings{"default-arg"}, {}, "/srv", "app"});
  CHECK(c.argv == Strings{"./bin/run", "--fixed", "default-arg"});
  CHECK(c.binary == "/srv/./bin/run");
  CHECK(c.binary_arguments == Strings{"--fixed"});
  CHECK(c.cmd == Strings{"default-arg"});
  CHECK(c.working_dir == "/srv/");
  CHECK(c.user == "app");
}

TEST_CASE("app_command: ENTRYPOINT alone, one-item ENTRYPOINT plus CMD, absolute binary", "[argv]") {
  const auto only = app_command({Strings{"/usr/bin/python3", "-u", "app.py"}, std::nullopt, {}, "/app/", "1000:1000"});
  CHECK(only.binary == "/usr/bin/python3");
  CHECK(only.binary_arguments == Strings{"-u", "app.py"});
  CHECK(only.cmd.empty());
  CHECK(only.argv == Strings{"/usr/bin/python3", "-u", "app.py"});
  CHECK(only.working_dir == "/app/");
  CHECK(only.user == "1000:1000");

  const auto one = app_command({Strings{"python3"}, Strings{"-c", "print(1)"}, {}, "", ""});
  CHECK(one.binary == "python3");
  CHECK(one.binary_arguments.empty());
  CHECK(one.cmd == Strings{"-c", "print(1)"});
  CHECK(one.argv == Strings{"python3", "-c", "print(1)"});

  const auto shell = app_command({std::nullopt, Strings{"/bin/sh", "-c", "echo \"$HOME\""}, {}, "", ""});
  CHECK(shell.cmd == Strings{"-c", "echo \"$HOME\""});
  CHECK(shell.argv == Strings{"/bin/sh", "-c", "echo \"$HOME\""});
}

TEST_CASE("app_command: an empty argument stays an argument", "[argv]") {
  const auto c = app_command({Strings{"/bin/echo", ""}, Strings{"", "x"}, {}, "", ""});
  CHECK(c.argv == Strings{"/bin/echo", "", "", "x"});
}

TEST_CASE("app_command: no ENTRYPOINT nor CMD is the original's error, with the fix", "[argv]") {
  for (const auto& in : {ImageCommandInput{std::nullopt, std::nullopt, {}, "", ""},
                         ImageCommandInput{Strings{}, Strings{}, {}, "", ""},
                         ImageCommandInput{Strings{""}, std::nullopt, {}, "", ""}}) {
    try {
      app_command(in);
      FAIL("accepted");
    } catch (const gsc::Error& e) {
      CHECK(e.category() == gsc::ErrorCategory::input);
      CHECK_THAT(e.what(), Catch::StartsWith("cannot find the entrypoint binary") && Catch::Contains("ENTRYPOINT or CMD"));
    }
  }
  CHECK_THROWS_WITH(app_command({Strings{"bin/"}, std::nullopt, {}, "", ""}), Catch::Contains("names a directory"));
}

TEST_CASE("app_command: env values kept raw, newline values skipped with a note", "[env]") {
  const auto c = app_command({std::nullopt, Strings{"/bin/true"},
                              {"A=x=y", "Q=say \"hi\" \\", "NL=a\nb", "EMPTY=", "TAB=a\tb"}, "", ""});
  REQUIRE(c.env.size() == 4);
  CHECK(c.env[0].name == "A");
  CHECK(c.env[0].value == "x=y");
  CHECK(c.env[1].value == "say \"hi\" \\");
  CHECK(c.env[2].name == "EMPTY");
  CHECK(c.env[2].value.empty());
  CHECK(c.env[3].value == "a\tb");
  REQUIRE(c.notes.size() == 1);
  CHECK(c.notes[0].find("`NL`") != std::string::npos);
  CHECK(c.notes[0].find("newline") != std::string::npos);
  CHECK(c.notes[0].find('\n') == std::string::npos);
}

TEST_CASE("app_command: env that TOML cannot carry is skipped, nothing is added", "[env]") {
  const auto c = app_command({std::nullopt, Strings{"/bin/true"},
                              {"BAD=\xff\xfe", "=novalue", "LANG=C.UTF-8", "U=\xc3\xa9t\xc3\xa9"}, "", ""});
  REQUIRE(c.env.size() == 2);
  CHECK(c.env[0].name == "LANG");
  CHECK(c.env[1].value == "\xc3\xa9t\xc3\xa9");
  REQUIRE(c.notes.size() == 2);
  CHECK(c.notes[0].find("`BAD` is not UTF-8") != std::string::npos);
  for (const auto& e : c.env) CHECK(e.name != "LC_ALL");
  CHECK(c.path.empty());
}
