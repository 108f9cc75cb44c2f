#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"
#include "manifest/places.hpp"

using namespace gsc::manifest;
using Strings = std::vector<std::string>;

namespace {

const Place* find(const PlacesPlan& plan, const std::string& path) {
  for (const auto& p : plan.places)
    if (p.path == path) return &p;
  return nullptr;
}

Strings mount_texts(const PlacesPlan& plan) {
  Strings out;
  for (const auto& m : plan.mounts) {
    toml::table holder;
    holder.insert("m", m);
    out.push_back(to_toml_string(holder).substr(4, to_toml_string(holder).size() - 5));
  }
  return out;
}

// An nginx-like image: /var/www with files, an empty /var/lib/nginx, logs, dpkg's state.
PlacesInput nginx_like() {
  PlacesInput in;
  in.var_dirs = {"/var/cache/apt", "/var/lib/dpkg", "/var/lib/nginx", "/var/log/apt", "/var/log/nginx", "/var/www"};
  in.files_under = {{"/tmp", 0},           {"/run", 1},           {"/run/secrets", 0}, {"/var/tmp", 0},
                    {"/var/cache/apt", 3}, {"/var/lib/dpkg", 500}, {"/var/lib/nginx", 0}, {"/var/log/apt", 3},
                    {"/var/log/nginx", 2}, {"/var/www", 2}};
  return in;
}

std::string usage_error(const toml::table& manifest, const PlacesInput& in) {
  try {
    plan_places(manifest, in);
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::invalid_argument);
    return e.what();
  }
  FAIL("accepted");
  return "";
}

}  // namespace

TEST_CASE("parse_mount_choice: PATH=CHOICE, one word, an optional key", "[places]") {
  const auto t = parse_mount_choice("/data/=tmpfs");
  CHECK(t.path == "/data");
  CHECK(t.access == Access::tmpfs);
  const auto e = parse_mount_choice("//srv//db=encrypted:db_key");
  CHECK(e.path == "/srv/db");
  CHECK(e.access == Access::encrypted);
  CHECK(e.key_name == "db_key");
  CHECK(parse_mount_choice("/run/secrets=allowed").access == Access::allowed);
  CHECK(parse_mount_choice("/var/lib/app=trusted").access == Access::trusted);
  CHECK(parse_mount_choice("/x=encrypted").key_name.empty());
  for (const char* bad : {"/data", "data=tmpfs", "/data=ramdisk", "/=tmpfs", "/a/../b=tmpfs", "/x=encrypted:", "=tmpfs"}) {
    INFO(bad);
    try {
      parse_mount_choice(bad);
      FAIL("accepted");
    } catch (const gsc::Error& err) {
      CHECK(err.category() == gsc::ErrorCategory::invalid_argument);
      CHECK_THAT(err.what(), Catch::Contains("--mount"));
    }
  }
}

TEST_CASE("plan_places: defaults for scratch, run-time files and the app's /var directories", "[places]") {
  const PlacesPlan plan = plan_places({}, nginx_like());
  Strings paths;
  for (const auto& p : plan.places) paths.push_back(p.path);
  CHECK(paths == Strings{"/tmp", "/var/tmp", "/run", "/run/secrets", "/var/lib/nginx", "/var/log/nginx", "/var/www"});
  CHECK(find(plan, "/tmp")->access == Access::tmpfs);
  CHECK(find(plan, "/run")->access == Access::tmpfs);
  CHECK_THAT(find(plan, "/run")->line, Catch::Contains("hides the image's 1 file"));
  CHECK(find(plan, "/run/secrets")->access == Access::none);  // host data: nothing unless chosen
  CHECK(find(plan, "/run/secrets")->warn);  // and the user is told the choices
  CHECK_THAT(find(plan, "/run/secrets")->line, Catch::Contains("--mount /run/secrets=encrypted"));
  CHECK(find(plan, "/var/lib/nginx")->access == Access::tmpfs);   // empty: the app writes there
  CHECK(find(plan, "/var/log/nginx")->access == Access::tmpfs);   // logs
  CHECK(find(plan, "/var/www")->access == Access::trusted);       // files shipped to be read
  CHECK_THAT(find(plan, "/var/www")->line, Catch::Contains("2 files the image ships"));
  CHECK(plan.trusted_dirs == Strings{"/var/www"});
  CHECK(plan.allowed.empty());
  CHECK(mount_texts(plan) == Strings{"{ path = \"/tmp\", type = \"tmpfs\" }", "{ path = \"/run\", type = \"tmpfs\" }",
                                     "{ path = \"/var/tmp\", type = \"tmpfs\" }",
                                     "{ path = \"/var/lib/nginx\", type = \"tmpfs\" }",
                                     "{ path = \"/var/log/nginx\", type = \"tmpfs\" }"});
  CHECK(plan.not_trusted == Strings{"/tmp", "/var/tmp", "/run", "/var/lib/nginx", "/var/log/nginx"});
  for (const auto& p : plan.places) {
    INFO(p.path);
    CHECK(p.line.find('\n') == std::string::npos);
    CHECK(p.line.rfind(p.path, 0) == 0);
  }
}

TEST_CASE("plan_places: a VOLUME needs a choice, each choice gives its mount", "[places]") {
  PlacesInput in = nginx_like();
  in.volumes = {"/data", "/var/lib/nginx/cache"};
  in.files_under["/data"] = 1;
  const PlacesPlan none = plan_places({}, in);
  const Place* data = find(none, "/data");
  REQUIRE(data);
  CHECK(data->kind == Place::Kind::volume);
  CHECK(data->what == "VOLUME");
  CHECK(data->access == Access::none);
  CHECK(data->warn);
  CHECK_THAT(data->line, Catch::StartsWith("VOLUME /data: the app cannot write there") &&
                             Catch::Contains("--mount /data=tmpfs|encrypted|allowed") &&
                             Catch::Contains("1 file there stay trusted"));

  in.choices = {parse_mount_choice("/data=encrypted"), parse_mount_choice("/var/lib/nginx/cache=tmpfs"),
                parse_mount_choice("/run/secrets=allowed"), parse_mount_choice("/opt/state=encrypted:k")};
  const PlacesPlan chosen = plan_places({}, in);
  CHECK(find(chosen, "/data")->access == Access::encrypted);
  CHECK(find(chosen, "/data")->key_name == kDefaultKeyName);
  CHECK_FALSE(find(chosen, "/data")->warn);
  CHECK_THAT(find(chosen, "/data")->line, Catch::EndsWith("(--mount)"));
  CHECK(find(chosen, "/opt/state")->kind == Place::Kind::chosen);
  CHECK(chosen.allowed == Strings{"file:/run/secrets"});
  const Strings mounts = mount_texts(chosen);
  // Parents before children: /run's tmpfs, then the secrets seen through it.
  const auto at = [&](const std::string& text) {
    const auto it = std::find(mounts.begin(), mounts.end(), text);
    INFO(text);
    REQUIRE(it != mounts.end());
    return it - mounts.begin();
  };
  CHECK(at("{ path = \"/run\", type = \"tmpfs\" }") < at("{ uri = \"file:/run/secrets\", path = \"/run/secrets\" }"));
  CHECK(at("{ path = \"/var/lib/nginx\", type = \"tmpfs\" }") < at("{ path = \"/var/lib/nginx/cache\", type = \"tmpfs\" }"));
  at("{ uri = \"file:/data\", path = \"/data\", key_name = \"_sgx_mrsigner\", type = \"encrypted\" }");
  at("{ uri = \"file:/opt/state\", path = \"/opt/state\", key_name = \"k\", type = \"encrypted\" }");
}

TEST_CASE("plan_places: the manifest decides a place and its mounts are never hidden", "[places]") {
  PlacesInput in = nginx_like();
  in.volumes = {"/data"};
  const toml::table m = parse_manifest(
      "fs.mounts = [{ type = \"tmpfs\", path = \"/data\" }, { path = \"/tmp/cache\", uri = \"file:/cache\" }]\n"
      "sgx.allowed_files = [\"file:/var/log/\"]\n",
      "user");
  const PlacesPlan plan = plan_places(m, in);
  CHECK(find(plan, "/data")->source == Place::Source::manifest);
  CHECK(find(plan, "/data")->access == Access::tmpfs);
  CHECK_FALSE(find(plan, "/data")->warn);
  CHECK_THAT(find(plan, "/data")->line, Catch::Contains("as your manifest says"));
  CHECK(find(plan, "/var/log/nginx")->source == Place::Source::manifest);  // under the user's allowed /var/log
  CHECK(find(plan, "/var/log/nginx")->access == Access::allowed);
  for (const auto& text : mount_texts(plan)) CHECK(text.find("/var/log/nginx") == std::string::npos);
  // Image files under the user's tmpfs or allowed places are not trusted (a trusted file cannot be written).
  CHECK(std::find(plan.not_trusted.begin(), plan.not_trusted.end(), "/data") != plan.not_trusted.end());
  CHECK(std::find(plan.not_trusted.begin(), plan.not_trusted.end(), "/var/log") != plan.not_trusted.end());

  toml::table manifest = m;
  add_places(manifest, plan);
  const auto* mounts = manifest["fs"]["mounts"].as_array();
  REQUIRE(mounts);
  Strings order;
  for (const auto& node : *mounts) order.push_back(*node.as_table()->get("path")->value<std::string>());
  // gsc's /tmp goes before the user's /tmp/cache, which it would hide otherwise.
  CHECK(order == Strings{"/data", "/tmp", "/tmp/cache", "/run", "/var/tmp", "/var/lib/nginx"});
}

TEST_CASE("plan_places: choices that cannot work are usage errors", "[places]") {
  PlacesInput in = nginx_like();
  in.volumes = {"/data"};
  in.choices = {parse_mount_choice("/data=trusted")};
  CHECK_THAT(usage_error({}, in), Catch::Contains("host data") && Catch::Contains("tmpfs, encrypted or allowed"));
  in.choices = {parse_mount_choice("/run/secrets=trusted")};
  CHECK_THAT(usage_error({}, in), Catch::Contains("`--mount /run/secrets=trusted`"));
  in.choices = {parse_mount_choice("/opt/empty=trusted")};
  CHECK_THAT(usage_error({}, in), Catch::Contains("no files under `/opt/empty`"));
  in.choices = {parse_mount_choice("/data=tmpfs"), parse_mount_choice("/data/=allowed")};
  CHECK_THAT(usage_error({}, in), Catch::Contains("given twice"));
  in.choices = {parse_mount_choice("/data=tmpfs")};
  CHECK_THAT(usage_error(parse_manifest("sgx.allowed_files = [\"file:/data\"]\n", "user"), in),
             Catch::Contains("chosen twice") && Catch::Contains("sgx.allowed_files"));
}

TEST_CASE("name resolution: gsc's hosts and hostname, Gramine's resolv.conf, unless the user has them",
          "[places]") {
  const EtcFiles all = etc_files_to_provide({});
  CHECK((all.hosts && all.hostname && all.resolv_conf));
  toml::table m;
  const std::string line = add_etc_files(m, all);
  CHECK(to_toml_string(m) ==
        "fs.mounts = [\n"
        "  { uri = \"file:/gramine/app_files/hosts\", path = \"/etc/hosts\" },\n"
        "  { uri = \"file:/gramine/app_files/hostname\", path = \"/etc/hostname\" },\n"
        "]\n"
        "sys.enable_extra_runtime_domain_names_conf = true\n");
  CHECK_THAT(line, Catch::Contains("/etc/hosts: gsc's fixed file") && Catch::Contains("Gramine's"));
  CHECK(hosts_text().find("127.0.0.1\tlocalhost\n") != std::string::npos);
  CHECK(hosts_text().find("::1\tlocalhost") != std::string::npos);
  CHECK(hostname_text() == "localhost\n");

  const toml::table user = parse_manifest(
      "fs.mounts = [{ path = \"/etc/hosts\", uri = \"file:/app/hosts\" }]\n"
      "sgx.allowed_files = [\"file:/etc/resolv.conf\"]\n",
      "user");
  const EtcFiles some = etc_files_to_provide(user);
  CHECK_FALSE(some.hosts);
  CHECK(some.hostname);
  CHECK_FALSE(some.resolv_conf);
  toml::table merged = user;
  CHECK_THAT(add_etc_files(merged, some), Catch::Contains("/etc/hosts: as your manifest says"));
  CHECK_FALSE(merged["sys"]["enable_extra_runtime_domain_names_conf"]);

  toml::table off = parse_manifest("sys.enable_extra_runtime_domain_names_conf = false\n", "user");
  add_etc_files(off, etc_files_to_provide(off));
  CHECK(off["sys"]["enable_extra_runtime_domain_names_conf"].value<bool>() == false);
}

TEST_CASE("plan_places: the order of --mount choices does not change the manifest", "[places][determinism]") {
  PlacesInput a = nginx_like(), b = nginx_like();
  a.choices = {parse_mount_choice("/srv/a=allowed"), parse_mount_choice("/srv/b=allowed"), parse_mount_choice("/srv/c=tmpfs")};
  b.choices = {parse_mount_choice("/srv/c=tmpfs"), parse_mount_choice("/srv/b=allowed"), parse_mount_choice("/srv/a=allowed")};
  const PlacesPlan pa = plan_places({}, a), pb = plan_places({}, b);
  CHECK(pa.allowed == pb.allowed);
  CHECK(mount_texts(pa) == mount_texts(pb));
}

TEST_CASE("plan_places: no choice may cover gsc's files, Gramine's runtime or gsc's /etc files", "[places][errors]") {
  for (const char* bad : {"/gramine=allowed", "/gramine/app_files=tmpfs", "/gramine/meson_build_output/lib=allowed",
                          "/etc=tmpfs", "/etc/hosts=allowed", "/etc/hostname=encrypted"}) {
    INFO(bad);
    PlacesInput in = nginx_like();
    in.choices = {parse_mount_choice(bad)};
    CHECK_THAT(usage_error({}, in), Catch::Contains("--mount"));
  }
  // The same checks run before any docker work, from the image config alone.
  CHECK_THROWS_AS(check_choices({}, {"/data"}, {parse_mount_choice("/data=trusted")}), gsc::Error);
  CHECK_NOTHROW(check_choices({}, {"/data"}, {parse_mount_choice("/data=encrypted")}));
}

TEST_CASE("plan_places: a VOLUME at or below one of gsc's tmpfs places is reported and warned about", "[places]") {
  PlacesInput in = nginx_like();
  in.volumes = {"/tmp", "/run/app"};
  const PlacesPlan plan = plan_places({}, in);
  const Place* tmp = find(plan, "/tmp");
  REQUIRE(tmp);
  CHECK(tmp->kind == Place::Kind::volume);
  CHECK(tmp->access == Access::tmpfs);
  CHECK(tmp->warn);
  CHECK_THAT(tmp->line, Catch::StartsWith("VOLUME /tmp: in-enclave tmpfs") && Catch::Contains("lost at exit") &&
                            Catch::Contains("hidden"));
  const Place* run_app = find(plan, "/run/app");
  REQUIRE(run_app);
  CHECK(run_app->warn);
  CHECK(run_app->inside_tmpfs == "/run");
  CHECK_THAT(run_app->line, Catch::Contains("inside the in-enclave tmpfs of /run"));
}

TEST_CASE("plan_places: control characters of an image's VOLUME path are never printed", "[places][security]") {
  PlacesInput in = nginx_like();
  in.volumes = {"/data\n\x1b[31mINJECTED"};
  const PlacesPlan plan = plan_places({}, in);
  bool seen = false;
  for (const auto& p : plan.places) {
    CHECK(p.line.find('\n') == std::string::npos);
    CHECK(p.line.find('\x1b') == std::string::npos);
    seen = seen || p.line.find("\\x0a\\x1b[31mINJECTED") != std::string::npos;
  }
  CHECK(seen);
}
