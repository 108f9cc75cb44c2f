// Gramine compiled from source: the compile Dockerfile of every distro (golden files,
// GSC_UPDATE_GOLDEN=1 rewrites them), Gramine.Repository as URL or local git repository,
// git refs, and the name a compiled Gramine is reused under.

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gsc/error.hpp"
#include "ops/compile.hpp"
#include "ops/image_path.hpp"
#include "ops/subscription.hpp"
#include "unit/golden.hpp"

using namespace gsc;
using gsc_test::check_golden;
using gsc_test::source_dir;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const std::string kCommitA = "1111111111111111111111111111111111111111";
const std::string kCommitB = "2222222222222222222222222222222222222222";

// A git directory by hand: HEAD -> main (loose), tag v1 and branch old (packed).
fs::path make_git_dir(const fs::path& root) {
  const fs::path git = root / ".git";
  write(git / "HEAD", "ref: refs/heads/main\n");
  write(git / "refs/heads/main", kCommitA + "\n");
  write(git / "packed-refs", "# pack-refs with: peeled fully-peeled sorted\n" + kCommitB + " refs/heads/old\n" +
                                 kCommitB + " refs/tags/v1\n^" + kCommitA + "\n");
  write(git / "objects/11/11111111111111111111111111111111111111", "blob");
  write(git / "config", "[remote \"origin\"]\n\turl = https://user:secret-token@example.com/gramine.git\n");
  write(git / "hooks/pre-commit", "#!/bin/sh\n");
  write(git / "index", "index");
  return git;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tpl[] = "/tmp/gsc-unit.XXXXXX";
    path = mkdtemp(tpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

ops::CompileRequest request(const std::string& distro, const std::string& repository = "https://github.com/gramineproject/gramine.git",
                            const std::string& branch = "v1.9") {
  ops::CompileRequest r;
  r.config.distro = distro;
  r.config.gramine.repository = repository;
  r.config.gramine.branch = branch;
  r.config_path = "config.yaml";
  r.distro = manifest::parse_distro(distro);
  r.templates_dir = source_dir() + "/templates";
  return r;
}

std::string dockerfile_of(const ops::CompileContext& context) { return context.dockerfile; }

// As compiled_gramine_name() writes a distro: lowercase, runs of other characters as one '-'.
std::string slug_of(const std::string& distro) {
  std::string out;
  for (char c : distro) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  return out;
}

std::string slug(std::string name) {
  for (auto& c : name)
    if (c == ':' || c == '/') c = '-';
  return name;
}

}  // namespace

TEST_CASE("compile Dockerfile of every supported distro", "[compile][golden]") {
  for (const std::string distro :
       {"debian:11", "debian:12", "debian:13", "ubuntu:20.04", "ubuntu:22.04", "ubuntu:24.04",
        "quay.io/centos/centos:stream9", "redhat/ubi9:9.4", "redhat/ubi9-minimal:9.4",
        "registry.suse.com/suse/sle15:15.6"}) {
    INFO(distro);
    check_golden("compile-" + slug(distro) + ".Dockerfile", dockerfile_of(ops::make_compile_context(request(distro))));
  }
}

TEST_CASE("compile Dockerfile: version rules, buildtype, -L, SGX driver, registry", "[compile][golden]") {
  const auto text = [](const ops::CompileRequest& r) { return dockerfile_of(ops::make_compile_context(r)); };
  // Debian >= 12 and Ubuntu >= 23.04 take meson and tomli from the distro, older ones from pip.
  CHECK(text(request("debian:12")).find("meson python3-tomli") != std::string::npos);
  CHECK(text(request("debian:11")).find("pip install 'meson") != std::string::npos);
  CHECK(text(request("ubuntu:22.04")).find("pip install 'meson") != std::string::npos);
  CHECK(text(request("ubuntu:24.04")).find("pip install") == std::string::npos);
  // Kernel headers before Linux 5.11 lack the in-kernel driver's asm/sgx.h: fetched, hash-checked.
  CHECK(text(request("debian:11")).find("-Dsgx_driver_include_path=/gramine/driver") != std::string::npos);
  CHECK(text(request("ubuntu:20.04")).find("sha256sum -c") != std::string::npos);
  CHECK(text(request("debian:12")).find("asm/sgx.h") == std::string::npos);
  CHECK(text(request("ubuntu:22.04")).find("asm/sgx.h") == std::string::npos);
  // DCAP on Ubuntu only, as the original.
  CHECK(text(request("ubuntu:22.04")).find("-Ddcap=enabled") != std::string::npos);
  CHECK(text(request("debian:12")).find("-Ddcap") == std::string::npos);

  // Both PALs in every compile, as the original: GRAMINE_MODE=direct works with any of them.
  CHECK(text(request("debian:12")).find("-Ddirect=enabled -Dsgx=enabled") != std::string::npos);
  CHECK(text(request("redhat/ubi9:9.4")).find("-Ddirect=enabled -Dsgx=enabled") != std::string::npos);

  auto r = request("debian:12");
  r.build_type = BuildType::debug;
  r.config.registry = "registry.example.com/mirror";
  r.config.sgx_driver = {"https://github.com/intel/linux-sgx-driver.git", "sgx_driver_2.14"};
  const std::string all = text(r);
  CHECK(all.find("FROM registry.example.com/mirror/debian:12 AS build-deps\n") != std::string::npos);
  CHECK(all.find("--buildtype=debug") != std::string::npos);
  CHECK(all.find("-Ddirect=enabled") != std::string::npos);
  CHECK(all.find("-Dsgx_driver=oot -Dsgx_driver_include_path=/gramine/driver") != std::string::npos);
  check_golden("compile-debian-12-debug-direct-oot.Dockerfile", all);
}

TEST_CASE("values reach the Dockerfile quoted: no shell or Dockerfile injection through the config", "[compile]") {
  const std::string text =
      dockerfile_of(ops::make_compile_context(request("debian:12", "https://example.com/g.git; rm -rf /", "v$(id)")));
  CHECK(text.find("git clone --quiet 'https://example.com/g.git; rm -rf /' /gramine") != std::string::npos);
  CHECK(text.find("git fetch --quiet origin 'v$(id)'") != std::string::npos);
  try {
    ops::make_compile_context(request("debian:12", "https://example.com/g.git", "v1.9\nRUN evil"));
    FAIL("a line break in Gramine.Branch was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("`Gramine.Branch`") != std::string::npos);
  }
}

TEST_CASE("config values git would misread, and credentials in a URL", "[compile]") {
  try {
    ops::make_compile_context(request("debian:12", "https://example.com/g.git", "--upload-pack=evil"));
    FAIL("a Branch starting with - was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("`Gramine.Branch` in config.yaml starts with `-`") == 0);
  }
  const auto context = ops::make_compile_context(request("debian:12", "https://user:s3cret@example.com/g.git", "v1"));
  const std::string text = dockerfile_of(context);
  CHECK(text.find("# Gramine's source: https://example.com/g.git at v1") != std::string::npos);
  CHECK(text.find("\"gsc.gramine.repository\"=\"https://example.com/g.git\"") != std::string::npos);
  REQUIRE(context.warnings.size() == 1);
  CHECK(context.warnings[0].find("carries credentials") != std::string::npos);
}

TEST_CASE("git refs: loose, packed, symbolic, full hashes", "[compile][git]") {
  TempDir dir;
  const fs::path git = make_git_dir(dir.path);
  CHECK(ops::resolve_git_ref(git, "main") == kCommitA);
  CHECK(ops::resolve_git_ref(git, "HEAD") == kCommitA);
  CHECK(ops::resolve_git_ref(git, "refs/heads/main") == kCommitA);
  CHECK(ops::resolve_git_ref(git, "old") == kCommitB);
  CHECK(ops::resolve_git_ref(git, "v1") == kCommitA);  // an annotated tag: the commit it points to
  CHECK(ops::resolve_git_ref(git, kCommitB) == kCommitB);
  CHECK_FALSE(ops::resolve_git_ref(git, "nope"));
  CHECK_FALSE(ops::resolve_git_ref(git, "../../etc/passwd"));
}

TEST_CASE("Gramine.Repository: URLs are cloned, directories are git repositories sent in the context", "[compile]") {
  Config c;
  c.gramine.branch = "main";
  for (const std::string url : {"https://github.com/gramineproject/gramine.git", "git@github.com:gramineproject/gramine.git",
                                "ssh://git@host/gramine"}) {
    c.gramine.repository = url;
    CHECK_FALSE(ops::resolve_gramine_source(c, "config.yaml").local);
  }

  TempDir dir;
  make_git_dir(dir.path / "src");
  c.base_dir = dir.path.string();
  c.gramine.repository = "src";  // relative to config.yaml's directory
  auto source = ops::resolve_gramine_source(c, "config.yaml");
  CHECK(source.local);
  CHECK(source.commit == kCommitA);
  c.gramine.repository = "file://" + (dir.path / "src").string();
  CHECK(ops::resolve_gramine_source(c, "config.yaml").git_dir == dir.path / "src/.git");

  auto error_of = [&](const std::string& repository, const std::string& branch) {
    c.gramine.repository = repository;
    c.gramine.branch = branch;
    try {
      ops::resolve_gramine_source(c, "config.yaml");
    } catch (const Error& e) {
      CHECK(e.category() == ErrorCategory::input);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("missing", "main").find("not a git URL, and there is no directory") != std::string::npos);
  fs::create_directories(dir.path / "plain");
  CHECK(error_of("plain", "main").find("is not a git repository") != std::string::npos);
  make_git_dir(dir.path / "alt");
  write(dir.path / "alt/.git/objects/info/alternates", "/elsewhere/objects\n");
  CHECK(error_of("alt", "main").find("uses git features gsc cannot send") != std::string::npos);
  write(dir.path / "worktree/.git", "gitdir: /elsewhere\n");
  CHECK(error_of("worktree", "main").find("is a git worktree or submodule") != std::string::npos);
  CHECK(error_of("src", "nope").find("`Gramine.Branch` `nope` (config.yaml) is not a branch, tag or commit") !=
        std::string::npos);
  CHECK(error_of("src", "abc1234") == "no error");  // a short hash: the build checks it out
}

TEST_CASE("local source: the git directory travels in the context, the commit decides the name", "[compile]") {
  TempDir dir;
  make_git_dir(dir.path / "src");
  auto r = request("debian:12", (dir.path / "src").string(), "main");
  const auto context = ops::make_compile_context(r);
  TempDir out;
  context.files().write_to(out.path);
  CHECK(fs::exists(out.path / "gramine-source/HEAD"));
  CHECK(fs::exists(out.path / "gramine-source/refs/heads/main"));
  CHECK(fs::exists(out.path / "gramine-source/packed-refs"));
  CHECK(fs::exists(out.path / "gramine-source/objects/11/11111111111111111111111111111111111111"));
  // Only what a clone needs: not the user's config (credentials), hooks or index.
  std::ifstream config(out.path / "gramine-source/config");
  const std::string config_text{std::istreambuf_iterator<char>(config), std::istreambuf_iterator<char>()};
  CHECK(config_text.find("secret-token") == std::string::npos);
  CHECK(config_text.find("bare = true") != std::string::npos);
  CHECK_FALSE(fs::exists(out.path / "gramine-source/hooks"));
  CHECK_FALSE(fs::exists(out.path / "gramine-source/index"));
  const std::string dockerfile = dockerfile_of(context);
  CHECK(dockerfile.find("COPY gramine-source/ /tmp/gramine-source/") != std::string::npos);
  std::string stable = dockerfile;  // the temporary directory's name, made stable for the golden file
  for (auto at = stable.find(dir.path.string()); at != std::string::npos; at = stable.find(dir.path.string()))
    stable.replace(at, dir.path.string().size(), "/home/dev");
  check_golden("compile-debian-12-local-source.Dockerfile", stable);
  CHECK(dockerfile.find("\"gsc.gramine.commit\"=\"" + kCommitA + "\"") != std::string::npos);

  const std::string name = ops::compiled_gramine_name(r.distro, r.build_type, context.key);
  CHECK(name.rfind("gsc-gramine-debian-12-release:", 0) == 0);
  CHECK(name.size() == std::string("gsc-gramine-debian-12-release:").size() + 16);
  // Same inputs, same name; another commit or buildtype, another name.
  CHECK(ops::make_compile_context(r).key == context.key);
  r.config.gramine.branch = "old";
  CHECK(ops::make_compile_context(r).key != context.key);
  r.config.gramine.branch = "main";
  r.build_type = BuildType::debug;
  CHECK(ops::make_compile_context(r).key != context.key);
}

TEST_CASE("install-deps.sh of the RHEL and SUSE families, per distro", "[compile][golden]") {
  for (const std::string distro : {"centos:8", "quay.io/centos/centos:stream9", "redhat/ubi9:9.4",
                                   "redhat/ubi9-minimal:9.4", "registry.suse.com/suse/sle15:15.6"}) {
    INFO(distro);
    const auto context = ops::make_compile_context(request(distro));
    REQUIRE(context.scripts.count("install-deps.sh"));
    check_golden("install-deps-" + slug(distro) + ".sh", context.scripts.at("install-deps.sh"));
  }
  // CentOS: PowerTools up to 8, CRB from 9; RHEL: CodeReady Builder of the subscription.
  auto script = [](const std::string& distro) { return ops::make_compile_context(request(distro)).scripts.at("install-deps.sh"); };
  CHECK(script("centos:8").find("--enablerepo=powertools") != std::string::npos);
  CHECK(script("quay.io/centos/centos:stream9").find("--enablerepo=crb") != std::string::npos);
  CHECK(script("redhat/ubi9:9.4").find("--enablerepo=codeready-builder-for-rhel-9-x86_64-rpms") != std::string::npos);
  CHECK(script("redhat/ubi9-minimal:9.4").find("microdnf install -y --enablerepo=") != std::string::npos);
  // Debian installs inline: no script.
  CHECK(ops::make_compile_context(request("debian:12")).scripts.empty());
}

TEST_CASE("RHEL UBI and SLES: the dependencies come from a subscribed container, no credential in the Dockerfile",
          "[compile]") {
  for (const std::string distro : {"redhat/ubi9:9.4", "registry.suse.com/suse/sle15:15.6"}) {
    INFO(distro);
    const auto context = ops::make_compile_context(request(distro));
    REQUIRE(context.subscribed);
    CHECK(context.subscribed->image.rfind("gsc-gramine-deps-" + slug_of(distro), 0) == 0);
    CHECK(context.dockerfile.find("FROM " + context.subscribed->image + " AS build-deps\n") != std::string::npos);
    for (const char* secret : {"entitlement", "SCCcredentials", "redhat.repo", "COPY install-deps.sh"})
      CHECK(context.dockerfile.find(secret) == std::string::npos);
  }
  CHECK_FALSE(ops::make_compile_context(request("quay.io/centos/centos:stream9")).subscribed);
  // Another script (another build type), another dependencies image.
  auto debug = request("redhat/ubi9:9.4");
  debug.build_type = BuildType::debug;
  CHECK(ops::make_compile_context(debug).subscribed->image != ops::make_compile_context(request("redhat/ubi9:9.4")).subscribed->image);
}

TEST_CASE("debug builds bundle gdb and strace under /gramine/debug-tools, release builds do not", "[compile]") {
  auto r = request("debian:12");
  CHECK(ops::make_compile_context(r).dockerfile.find("gdb") == std::string::npos);
  CHECK_FALSE(ops::make_compile_context(r).scripts.count("bundle-debug-tools.sh"));
  for (const auto type : {BuildType::debug, BuildType::debugoptimized}) {
    r.build_type = type;
    const auto context = ops::make_compile_context(r);
    CHECK(context.dockerfile.find("apt-get install -y --no-install-recommends gdb strace") != std::string::npos);
    CHECK(context.dockerfile.find("RUN sh /tmp/bundle-debug-tools.sh /gramine/debug-tools gdb strace") !=
          std::string::npos);
    REQUIRE(context.scripts.count("bundle-debug-tools.sh"));
    CHECK(context.scripts.at("bundle-debug-tools.sh").find("--library-path") != std::string::npos);
  }
  r.distro = manifest::parse_distro("redhat/ubi9-minimal:9.4");
  r.build_type = BuildType::debug;
  CHECK(ops::make_compile_context(r).scripts.at("install-deps.sh").find(" gdb strace") != std::string::npos);
}

TEST_CASE("the host's subscription: RHEL's redhat.repo and entitlement, SLES's SCCcredentials", "[compile][subscription]") {
  TempDir host;
  const auto ubi = manifest::parse_distro("redhat/ubi9:9.4");
  const auto sles = manifest::parse_distro("registry.suse.com/suse/sle15:15.6");
  auto error_of = [&](const manifest::Distro& d) {
    try {
      ops::host_subscription(d, host.path.string());
    } catch (const Error& e) {
      CHECK(e.category() == ErrorCategory::input);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(ubi).find("Cannot find `/etc/yum.repos.d/redhat.repo` on this host. Register and subscribe") == 0);
  CHECK(error_of(sles).find("Cannot find your SUSE Customer Center credentials `/etc/zypp/credentials.d/SCCcredentials`") == 0);

  write(host.path / "etc/yum.repos.d/redhat.repo", "[rhel-8-for-x86_64-baseos-rpms]\n");
  CHECK(error_of(ubi).find("has no `rhel-9-for-x86_64-baseos-rpms`") != std::string::npos);
  write(host.path / "etc/yum.repos.d/redhat.repo",
        "[rhel-9-for-x86_64-baseos-rpms]\n# sslclientkey = /nope\nsslclientkey = /etc/pki/entitlement/42-key.pem\n"
        "sslclientcert = /etc/pki/entitlement/42.pem\nsslcacert = /etc/rhsm/ca/redhat-uep.pem\n");
  CHECK(error_of(ubi).find("Cannot read the entitlement certificates in `/etc/pki/entitlement`") == 0);
  write(host.path / "etc/pki/entitlement/42-key.pem", "KEY\n");
  write(host.path / "etc/pki/entitlement/42.pem", "CERT\n");
  write(host.path / "etc/rhsm/ca/redhat-uep.pem", "CA\n");
  const auto rhel = ops::host_subscription(ubi, host.path.string());
  REQUIRE(rhel.files.size() == 4);
  CHECK(rhel.files[0].path == "/etc/yum.repos.d/redhat.repo");
  CHECK(rhel.files[1].path == "/etc/pki/entitlement/42-key.pem");
  CHECK(rhel.files[1].content == "KEY\n");
  CHECK(rhel.files[3].path == "/etc/rhsm/ca/redhat-uep.pem");
  CHECK(rhel.tmpfs == std::vector<std::string>{"/etc/pki/entitlement", "/etc/rhsm/ca"});

  write(host.path / "etc/zypp/credentials.d/SCCcredentials", "username=SCC_x\npassword=y\n");
  const auto suse = ops::host_subscription(sles, host.path.string());
  REQUIRE(suse.files.size() == 1);
  CHECK(suse.tmpfs == std::vector<std::string>{"/etc/zypp/credentials.d"});
}

TEST_CASE("subscribed_stdin: files as quoted here-documents, then the install with stdin closed", "[compile][subscription]") {
  ops::Subscription s;
  s.files = {{"/etc/pki/entitlement/1.pem", "-----BEGIN X-----\n$(not expanded) `nor this`\n-----END X-----\n"},
             {"/etc/zypp/credentials.d/SCCcredentials", "GSC_END_OF_FILE\nno final newline"}};
  s.tmpfs = {"/etc/pki/entitlement"};
  const std::string text = ops::subscribed_stdin(s, "echo install\n");
  check_golden("subscribed-stdin.sh", text);
  CHECK(text.find("cat > '/etc/pki/entitlement/1.pem' <<'GSC_END_OF_FILE'\n") != std::string::npos);
  // A content line equal to the delimiter gets another delimiter.
  CHECK(text.find("<<'GSC_END_OF_FILE_1'\nGSC_END_OF_FILE\nno final newline\nGSC_END_OF_FILE_1\n") != std::string::npos);
  const std::string last = "exec sh /run/gsc-install/install-deps.sh </dev/null\n";
  CHECK(text.compare(text.size() - last.size(), last.size(), last) == 0);
  // The script itself runs it: the subscription is in a file only, never on a command line.
  const auto result = [&] {
    TempDir dir;
    std::string local = text;
    for (const std::string from : {"/etc/pki/entitlement", "/etc/zypp/credentials.d", "/run/gsc-install"}) {
      const std::string to = dir.path.string() + from;
      for (auto at = local.find(from); at != std::string::npos; at = local.find(from, at + to.size()))
        local.replace(at, from.size(), to);
    }
    write(dir.path / "stdin.sh", local);
    const int status = std::system(("sh " + (dir.path / "stdin.sh").string() + " >/dev/null").c_str());
    std::ifstream in(dir.path / "etc/pki/entitlement/1.pem");
    const std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return std::pair{status, pem};
  }();
  CHECK(result.first == 0);
  CHECK(result.second == s.files[0].content);
}

TEST_CASE("final_image_path: Gramine's bin first, the app's PATH, debug tools last in non-release builds", "[path]") {
  CHECK(ops::final_image_path("/usr/bin:/bin", BuildType::release) == "/gramine/meson_build_output/bin:/usr/bin:/bin");
  CHECK(ops::final_image_path("", BuildType::release) ==
        "/gramine/meson_build_output/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  CHECK(ops::final_image_path("/usr/bin", BuildType::debugoptimized) ==
        "/gramine/meson_build_output/bin:/usr/bin:/gramine/debug-tools/bin");
}
