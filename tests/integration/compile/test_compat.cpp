// Where the original GSC was right, against the real daemon with the stand-in Gramine source:
// `gsc build --no-cache` compiles Gramine anew; debug builds bring gdb and strace (GDB=1)
// without a package manager in the app image; `Distro: auto` tells UBI minimal and CentOS
// Linux 8 apart as the original; RHEL UBI compiles install with this host's subscription and
// leave it in no layer.

#include <catch2/catch.hpp>

#include <regex>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "integration/support.hpp"

using namespace gsc_test;

namespace {

std::string image_id(const std::string& image) {
  Run r = sh("docker image inspect -f '{{.Id}}' " + sh_quote(image));
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string compiled_name(const Run& r) {
  std::smatch m;
  if (!std::regex_search(r.err, m, std::regex("(gsc-gramine-debian-12-[a-z]+:[0-9a-f]{16})"))) return "";
  return m[1].str();
}

}  // namespace

TEST_CASE("gsc build --no-cache compiles Gramine anew instead of reusing it, as the original", "[compile][nocache]") {
  TempDir dir;
  const std::string config = write_compile_config(dir, make_gramine_repo(dir), "gsc-test");
  const std::string app = unique_name("gsc-test-app/nocache");
  ImageGuard guard;
  guard.add_app(app);
  docker_build(app, "FROM gsc-test/debian:12\nCMD [\"/bin/true\"]\n");
  write_file(dir / "app.manifest", "");

  const Run first = gsc_test::gsc({"build", "-c", config, app, dir / "app.manifest"});
  INFO(first.err);
  REQUIRE(first.status == 0);
  const std::string gramine = compiled_name(first);
  REQUIRE_FALSE(gramine.empty());
  guard.add(gramine);
  const std::string first_id = image_id(gramine);

  REQUIRE(sh("docker rmi " + sh_quote("gsc-" + app + "-unsigned")).status == 0);
  const Run again = gsc_test::gsc({"build", "--no-cache", "-c", config, app, dir / "app.manifest"});
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK(again.err.find("(--no-cache: anew, as " + gramine + ")") != std::string::npos);
  CHECK(again.err.find("reusing") == std::string::npos);
  CHECK(again.err.find("Using cache") == std::string::npos);  // no step of the compile came from the cache
  CHECK(image_id(gramine) != first_id);
  CHECK(sh("docker image inspect " + first_id).status != 0);  // the replaced one is gone
}

TEST_CASE("debug builds: gdb and strace come with the compiled Gramine, GDB=1 finds gdb, release stays lean",
          "[compile][debug]") {
  TempDir dir;
  const std::string repo = make_gramine_repo(dir);
  const std::string config = write_compile_config(dir, repo, "gsc-test");
  const std::string gramine = unique_name("gsc-test-gramine/debug");
  const std::string app = unique_name("gsc-test-app/debug");
  ImageGuard guard({gramine});
  guard.add_app(app);

  const Run compiled = gsc_test::gsc({"build-gramine", "-b", "debug", "-c", config, gramine});
  INFO(compiled.err);
  REQUIRE(compiled.status == 0);
  CHECK(compiled.err.find("bundle-debug-tools: gdb strace in /gramine/debug-tools") != std::string::npos);

  docker_build(app, "FROM gsc-test/python3:12\nCMD [\"/usr/bin/python3\", \"-c\", \"print('debug app')\"]\n");
  write_file(dir / "app.manifest", "");
  const std::string use = write_config(dir, gramine);
  const Run built = gsc_test::gsc({"build", "-b", "debug", "-c", use, app, dir / "app.manifest"});
  INFO(built.err);
  REQUIRE(built.status == 0);
  const std::string image = "gsc-" + app + "-unsigned";
  auto in_image = [&](const std::string& command) {
    return sh("docker run --rm --entrypoint /bin/bash " + sh_quote(image) + " -c " + sh_quote(command));
  };
  // Gramine's launchers run `gdb` from PATH under GDB=1: it is there, with its Python.
  CHECK(in_image("command -v gdb").out == "/gramine/debug-tools/bin/gdb\n");
  // Gramine's gdb scripts import pyelftools: it comes along.
  const Run python = in_image("gdb --batch -ex 'python import elftools; print(6 * 7)'");
  INFO(python.err);
  CHECK(python.out == "42\n");
  // The program gdb runs does not inherit gdb's PYTHONHOME (a Python app would break).
  const Run inferior = in_image("gdb --batch -ex run --args /usr/bin/python3 -c "
                                "'import os; print(\"home\", os.environ.get(\"PYTHONHOME\"))' 2>/dev/null | grep home");
  CHECK(inferior.out == "home None\n");
  CHECK(in_image("strace -f -e trace=none /bin/true 2>&1; echo $?").out.find("+++ exited with 0 +++") != std::string::npos);
  // No package manager ran in the app image: its dpkg database is the app image's.
  CHECK(in_image("dpkg -l gdb 2>&1 | grep -c '^ii'").out == "0\n");
  // debug logs everything; debugoptimized gets the original's level.
  CHECK(in_image("grep '^loader.log_level' /gramine/app_files/entrypoint.manifest").out == "loader.log_level = \"all\"\n");

  SECTION("a release build of the same app has no debug tools") {
    REQUIRE(sh("docker rmi " + sh_quote(image)).status == 0);
    const Run release = gsc_test::gsc({"build", "-c", write_config(dir, gramine_image()), app, dir / "app.manifest"});
    REQUIRE(release.status == 0);
    CHECK(in_image("ls /gramine/debug-tools 2>&1; command -v gdb").out.find("No such file") != std::string::npos);
    CHECK(in_image("echo $PATH").out.find("debug-tools") == std::string::npos);
  }
  SECTION("debugoptimized: loader.log_level is the original's `error`") {
    REQUIRE(sh("docker rmi " + sh_quote(image)).status == 0);
    const Run optimized = gsc_test::gsc({"build", "-b", "debugoptimized", "-c", use, app, dir / "app.manifest"});
    INFO(optimized.err);
    REQUIRE(optimized.status == 0);
    CHECK(in_image("grep '^loader.log_level' /gramine/app_files/entrypoint.manifest").out ==
          "loader.log_level = \"error\"\n");
  }
}

TEST_CASE("Distro auto tells UBI minimal (microdnf) and CentOS Linux 8 apart, as the original", "[compile][distro]") {
  TempDir dir;
  write_file(dir / "app.manifest", "");
  write_file(dir / "auto.yaml", "Distro: \"auto\"\nGramine:\n  Image: \"" + gramine_image() + "\"\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n", "redhat/ubi9:9.4"},
      {"NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n@microdnf", "redhat/ubi9-minimal:9.4"},
      {"NAME=\"CentOS Linux\"\nID=\"centos\"\nVERSION_ID=\"8\"\n", "centos:8"},
      {"NAME=\"CentOS Stream\"\nID=\"centos\"\nVERSION_ID=\"9\"\n", "quay.io/centos/centos:stream9"}};
  for (const auto& [os_release, distro] : cases) {
    INFO(distro);
    const std::string app = unique_name("gsc-test-app/distro");
    ImageGuard guard;
    guard.add_app(app);
    const bool microdnf = os_release.find("@microdnf") != std::string::npos;
    const std::string text = os_release.substr(0, os_release.find('@'));
    docker_build(app, std::string("FROM gsc-test/busybox:1\nCOPY os-release /etc/os-release\n") +
                          (microdnf ? "COPY os-release /usr/bin/microdnf\n" : "") + "CMD [\"/bin/true\"]\n",
                 {{"os-release", text}});
    const Run r = gsc_test::gsc({"build", "-c", dir / "auto.yaml", app, dir / "app.manifest"});
    // The stand-in Gramine has Debian's layout, so a RHEL-family build may stop later: the
    // distro it was told is what counts here.
    CHECK(r.err.find("gsc: distro: " + distro + ", Gramine: ") != std::string::npos);
    CHECK(r.err.find("is not supported") == std::string::npos);
  }
}

namespace {

// A stand-in distro image for a subscription test: the Debian build dependencies (which hold
// git, meson and python3; fixture_images keeps them) with fake package tools that record
// what they saw in /var/log/fake-installs.log, tagged as Registry/Distro names it.
void make_fake_distro(const std::string& tag, const std::vector<std::string>& tools, const std::string& seen) {
  Run tags = sh("docker images --format '{{.Tag}}' gsc-test/gramine-build-deps | sort | grep '^debian-12' | tail -n1");
  REQUIRE_FALSE(tags.out.empty());
  const std::string deps = "gsc-test/gramine-build-deps:" + tags.out.substr(0, tags.out.find('\n'));
  const std::string fake = "#!/bin/sh\n{ echo \"$(basename \"$0\") $*\"; " + seen + " } >> /var/log/fake-installs.log\n";
  std::string dockerfile = "FROM " + deps + "\n";
  for (const auto& tool : tools) dockerfile += "COPY fake /usr/local/bin/" + tool + "\n";
  dockerfile += "COPY pip /usr/local/bin/python3\nRUN chmod 755 /usr/local/bin/*\n";
  docker_build(tag, dockerfile,
               {{"fake", fake},
                {"pip", "#!/bin/sh\nif [ \"$3\" = pip ]; then echo \"pip $*\" >> /var/log/fake-installs.log; exit 0; fi\n"
                        "exec /usr/bin/python3 \"$@\"\n"}});
}

struct SubscriptionCase {
  std::string distro;                                     // Distro of config.yaml
  std::vector<std::string> tools;                         // faked in the image
  std::string seen;                                       // what the fakes record (shell)
  std::vector<std::pair<std::string, std::string>> host;  // the host's subscription files
  std::string install_line;                               // expected in the log
  std::string deps_prefix;                                // gsc-gramine-deps-<slug>
  std::string absent;                                     // `ls` of these in the result finds nothing
  std::string register_error;                             // without a subscription
};

void check_subscribed_compile(const SubscriptionCase& c, const std::string& secret) {
  const std::string registry = unique_name("gsc-test-fakedistro");
  const std::string base = registry + "/" + c.distro;
  ImageGuard guard({base});
  make_fake_distro(base, c.tools, c.seen);
  TempDir host, dir;
  for (const auto& [path, content] : c.host) write_file(host / path, content);
  const std::string repo = make_gramine_repo(dir);
  write_file(dir / "config.yaml", "Distro: \"" + c.distro + "\"\nRegistry: \"" + registry + "\"\nGramine:\n  Repository: \"" +
                                      repo + "\"\n  Branch: \"gsc-test\"\n");
  const std::string gramine = unique_name("gsc-test-gramine/subscribed");
  guard.add(gramine);

  gsc::BuildGramineOptions options;
  options.image = gramine;
  options.config_path = dir / "config.yaml";
  options.templates_dir = std::string(GSC_TEST_BINARY_DIR) + "/share/gsc/templates";
  options.host_root = host.path().string();
  std::string output;
  auto client = gsc::docker::Client::from_environment();
  const auto progress = [&](const gsc::ProgressEvent& e) { output += e.text + "\n"; };
  try {
    gsc::build_gramine(client, options, progress);
  } catch (const gsc::BuildError& e) {
    FAIL(e.what() << " at " << e.step() << "\n" << e.output() << "\n" << output);
  }
  INFO(output);
  std::smatch m;
  REQUIRE(std::regex_search(output, m, std::regex("kept as (" + c.deps_prefix + ":[0-9a-f]{16})")));
  const std::string deps_image = m[1].str();
  guard.add(deps_image);

  // The install saw the subscription ...
  const Run log = sh("docker run --rm --entrypoint cat " + sh_quote(gramine) + " /var/log/fake-installs.log");
  CHECK(log.out.find(c.install_line) != std::string::npos);
  const std::string secret_hash = sh("printf '%s\\n' " + sh_quote(secret) + " | sha256sum | cut -c1-64").out;
  CHECK(log.out.find(secret_hash.substr(0, 64)) != std::string::npos);
  // ... which is in no layer, history or config of the images, the dependencies' included (a
  // saved image's layers are uncompressed tars inside the tar), nor on their filesystems.
  for (const std::string& image : {gramine, deps_image}) {
    INFO(image);
    CHECK(sh("docker save " + sh_quote(image) + " | grep -ac " + sh_quote(secret)).out == "0\n");
    CHECK(sh("docker image inspect " + sh_quote(image)).out.find(secret) == std::string::npos);
    CHECK(sh("docker history --no-trunc " + sh_quote(image)).out.find(secret) == std::string::npos);
    CHECK(sh("docker run --rm --entrypoint /bin/sh " + sh_quote(image) + " -c " + sh_quote("ls " + c.absent + " 2>/dev/null"))
              .out.empty());
  }

  // Again: the dependencies image is reused, nothing installs.
  output.clear();
  REQUIRE(sh("docker rmi " + sh_quote(gramine)).status == 0);
  gsc::build_gramine(client, options, progress);
  CHECK(output.find("Installing Gramine's build dependencies") == std::string::npos);

  // A host without a subscription: one line saying to register.
  TempDir bare;
  options.host_root = bare.path().string();
  options.use_cache = gsc::UseCache::no;
  try {
    gsc::build_gramine(client, options, {});
    FAIL("built without a subscription");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::input);
    CHECK(std::string(e.what()).find(c.register_error) == 0);
  }
}

}  // namespace

TEST_CASE("RHEL UBI: the dependencies install with this host's subscription, which is in no layer and no config",
          "[compile][subscription]") {
  const std::string secret = "ENTITLEMENT-" + unique_name("secret");
  check_subscribed_compile(
      {.distro = "redhat/ubi9:9.4",
       .tools = {"dnf", "rpm"},
       .seen = "sha256sum /etc/pki/entitlement/42-key.pem; test -f /etc/yum.repos.d/redhat.repo && echo repo-present;",
       .host = {{"etc/yum.repos.d/redhat.repo",
                 "[rhel-9-for-x86_64-baseos-rpms]\nsslclientkey = /etc/pki/entitlement/42-key.pem\n"
                 "sslclientcert = /etc/pki/entitlement/42.pem\nsslcacert = /etc/rhsm/ca/redhat-uep.pem\n"},
                {"etc/pki/entitlement/42-key.pem", secret + "\n"},
                {"etc/pki/entitlement/42.pem", "certificate of " + secret + "\n"},
                {"etc/rhsm/ca/redhat-uep.pem", "CA\n"}},
       .install_line = "dnf install -y --enablerepo=codeready-builder-for-rhel-9-x86_64-rpms",
       .deps_prefix = "gsc-gramine-deps-redhat-ubi9-9-4",
       .absent = "/etc/pki/entitlement/42-key.pem /etc/yum.repos.d/redhat.repo",
       .register_error = "Cannot find `/etc/yum.repos.d/redhat.repo` on this host. Register"},
      secret);
}

TEST_CASE("SLES: SUSEConnect activates the modules with this host's SCCcredentials, gone with what it wrote",
          "[compile][subscription]") {
  const std::string secret = "SCC-" + unique_name("secret");
  // The fake SUSEConnect also writes a service credential, as the real one does: it must go too.
  check_subscribed_compile(
      {.distro = "registry.suse.com/suse/sle15:15.6",
       .tools = {"zypper", "SUSEConnect", "update-alternatives"},
       .seen = "sha256sum /etc/zypp/credentials.d/SCCcredentials; "
               "if [ \"$(basename \"$0\")\" = SUSEConnect ]; then cat /etc/zypp/credentials.d/SCCcredentials "
               "> /etc/zypp/credentials.d/Basesystem_Module; fi;",
       .host = {{"etc/zypp/credentials.d/SCCcredentials", secret + "\n"}},
       .install_line = "SUSEConnect -p sle-module-development-tools/15.6/x86_64",
       .deps_prefix = "gsc-gramine-deps-registry-suse-com-suse-sle15-15-6",
       .absent = "/etc/zypp/credentials.d/SCCcredentials /etc/zypp/credentials.d/Basesystem_Module",
       .register_error = "Cannot find your SUSE Customer Center credentials"},
      secret);
}
