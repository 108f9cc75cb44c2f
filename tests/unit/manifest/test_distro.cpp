#include <catch2/catch.hpp>

#include "gsc/error.hpp"
#include "manifest/distro.hpp"

using namespace gsc::manifest;

TEST_CASE("parse_distro: families, versions and version parts", "[distro]") {
  const auto debian = parse_distro("debian:12");
  CHECK(debian.family == "debian");
  CHECK(debian.version == "12");
  CHECK(debian.version_parts == std::vector<int>{12});
  const auto ubuntu = parse_distro("ubuntu:22.04");
  CHECK(ubuntu.family == "ubuntu");
  CHECK(ubuntu.version_parts == std::vector<int>{22, 4});
  const auto centos = parse_distro("quay.io/centos/centos:stream9");
  CHECK(centos.family == "centos");
  CHECK(centos.version == "9");
  const auto ubi = parse_distro("redhat/ubi9:9.4");
  CHECK(ubi.family == "redhat");
  CHECK(ubi.version_parts == std::vector<int>{9, 4});
  CHECK_FALSE(ubi.minimal);
  CHECK(parse_distro("redhat/ubi9-minimal:9.4").minimal);
  const auto sles = parse_distro("registry.suse.com/suse/sle15:15.6");
  CHECK(sles.family == "suse");
  CHECK(sles.version_parts == std::vector<int>{15, 6});
  CHECK(sles.name == "registry.suse.com/suse/sle15:15.6");
}

TEST_CASE("parse_distro: unsupported names list the supported ones", "[distro]") {
  for (const char* bad : {"fedora:40", "debian", "debian:", "debian:bookworm", "ubuntu:22.04.1.2", "alpine:3.20",
                          "redhat/ubi9:8.10", "quay.io/centos/centos:9", "registry.suse.com/suse/sle15:12.5", ""}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_distro(bad), Catch::Contains("is not supported. Use `auto` or one of `debian:11`"));
  }
}

TEST_CASE("base_image: the registry prefix", "[distro]") {
  CHECK(base_image(parse_distro("debian:12"), "") == "debian:12");
  CHECK(base_image(parse_distro("debian:12"), "registry.example.com/mirror") == "registry.example.com/mirror/debian:12");
  CHECK(base_image(parse_distro("redhat/ubi9:9.4"), "r.example/") == "r.example/redhat/ubi9:9.4");
}

TEST_CASE("compare_versions and is_at_least: numeric, part by part", "[distro]") {
  CHECK(compare_versions({22, 4}, {23, 4}) < 0);
  CHECK(compare_versions({23, 10}, {23, 4}) > 0);  // 23.10 is newer than 23.04 (not a decimal)
  CHECK(compare_versions({12}, {12, 0}) == 0);
  CHECK(compare_versions({9}, {10}) < 0);
  CHECK(is_at_least(parse_distro("ubuntu:23.10"), "ubuntu", {23, 4}));
  CHECK_FALSE(is_at_least(parse_distro("debian:13"), "ubuntu", {1}));
}

TEST_CASE("distro_has_recent_meson: Debian 12+ and Ubuntu 23.04+", "[distro]") {
  CHECK(distro_has_recent_meson(parse_distro("debian:12")));
  CHECK(distro_has_recent_meson(parse_distro("debian:13")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("debian:11")));
  CHECK(distro_has_recent_meson(parse_distro("ubuntu:23.04")));
  CHECK(distro_has_recent_meson(parse_distro("ubuntu:24.04")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("ubuntu:22.10")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("ubuntu:22.04")));
  CHECK_FALSE(distro_has_recent_meson(parse_distro("redhat/ubi9:9.4")));
}

TEST_CASE("distro_from_os_release: ID and VERSION_ID, special names", "[distro]") {
  CHECK(distro_from_os_release("ID=debian\nVERSION_ID=\"12\"\n").name == "debian:12");
  CHECK(distro_from_os_release("NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n").name == "ubuntu:22.04");
  CHECK(distro_from_os_release("ID=\"centos\"\nNAME=\"CentOS Stream\"\nVERSION_ID=\"9\"\n").name ==
        "quay.io/centos/centos:stream9");
  CHECK(distro_from_os_release("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n").name == "redhat/ubi9:9.4");
  CHECK(distro_from_os_release("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n", Microdnf::present).name ==
        "redhat/ubi9-minimal:9.4");
  CHECK(distro_from_os_release("ID=\"sles\"\nVERSION_ID=\"15.6\"\n").name == "registry.suse.com/suse/sle15:15.6");
  CHECK(distro_from_os_release("ID=\"sles\"\nVERSION_ID=\"15.6.1\"\n").name == "registry.suse.com/suse/sle15:15.6");
}

TEST_CASE("distro_from_os_release: as the original tells CentOS Linux, CentOS Stream and UBI minimal apart",
          "[distro]") {
  // centos:8's file: CentOS Linux by NAME, so `centos:8` (the original's name), not a Stream.
  const std::string centos8 =
      "NAME=\"CentOS Linux\"\nVERSION=\"8\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"8\"\n"
      "PRETTY_NAME=\"CentOS Linux 8\"\n";
  const auto linux8 = distro_from_os_release(centos8);
  CHECK(linux8.name == "centos:8");
  CHECK(linux8.family == "centos");
  CHECK(distro_from_os_release("NAME=\"CentOS Stream\"\nID=\"centos\"\nVERSION_ID=\"8\"\n").name ==
        "quay.io/centos/centos:stream8");
  // UBI minimal is told by /usr/bin/microdnf in the image, as the original does.
  const std::string ubi = "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n";
  CHECK(distro_from_os_release(ubi, Microdnf::absent).name == "redhat/ubi9:9.4");
  const auto minimal = distro_from_os_release(ubi, Microdnf::present);
  CHECK(minimal.name == "redhat/ubi9-minimal:9.4");
  CHECK(minimal.minimal);
  CHECK(parse_distro("centos:8").family == "centos");
  CHECK(parse_distro("centos:8").version_parts == std::vector<int>{8});
}

TEST_CASE("distro_from_os_release: the real Debian 12 file, quoting, comments, CRLF", "[distro]") {
  const std::string debian12 =
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
      "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n";
  const auto d = distro_from_os_release(debian12);
  CHECK(d.name == "debian:12");
  CHECK(d.family == "debian");
  CHECK(distro_from_os_release("# comment ID=alpine\n  ID='ubuntu'\r\nVERSION_ID=24.04.1\r\n").name == "ubuntu:24.04");
  CHECK(distro_from_os_release("ID=debian\nVERSION_ID=\"1\\2\"\n").name == "debian:12");
}

TEST_CASE("distro_from_os_release: unknown or incomplete says to set Distro", "[distro]") {
  CHECK_THROWS_WITH(distro_from_os_release("ID=alpine\nVERSION_ID=3.20.1\n"),
                    Catch::Contains("`ID=alpine`") && Catch::Contains("Set `Distro` in config.yaml"));
  CHECK_THROWS_WITH(distro_from_os_release("ID=debian\n"),
                    Catch::Contains("`VERSION_ID`") && Catch::Contains("Set `Distro` in config.yaml"));
  CHECK_THROWS_WITH(distro_from_os_release(""), Catch::Contains("`ID`"));
  CHECK_THROWS_WITH(distro_from_os_release("ID=debian\nVERSION_ID=\"forky\"\n"),
                    Catch::Contains("`ID=debian`") && Catch::Contains("Set `Distro`"));
  CHECK_THROWS_AS(distro_from_os_release("ID=fedora\nVERSION_ID=40\n"), gsc::Error);
}
