// libgsc-consumer: what a program linking the installed libgsc does, checked from outside
// the project (scripts/check-install.sh, test install_and_build_example).
//
//   libgsc-consumer [IMAGE]
//
// Without a daemon: the library's version against its headers', gsc::Error caught across
// the library boundary, a config parsed from memory, build-gramine's build context written
// from the templates built into the library (no templates directory is installed beside it).
// With a daemon (skipped when none answers): info_image and diff_images on IMAGE, an
// ordinary image (default gsc-test/busybox:1) that no Gramine has touched, so both must fail
// with a gsc::Error that says so. Then, given the images and a key (see below), threads,
// cancellation, inputs from memory and a signer.

#include <gsc/config.hpp>
#include <gsc/docker.hpp>
#include <gsc/error.hpp>
#include <gsc/ops.hpp>
#include <gsc/signer.hpp>
#include <gsc/sigstruct.hpp>
#include <gsc/version.hpp>

#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok:   " : "FAIL: ") << what << "\n";
  if (!ok) ++failures;
}

// Runs f, which must throw a gsc::Error of `category`.
template <class F>
void expect_error(gsc::ErrorCategory category, const std::string& what, F&& f) {
  try {
    f();
    check(false, what + ": no error");
  } catch (const gsc::Error& e) {
    check(e.category() == category, what + ": " + gsc::to_string(e.category()) + ": " + e.what());
  } catch (const std::exception& e) {
    check(false, what + ": not caught as gsc::Error: " + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string image = argc > 1 ? argv[1] : "gsc-test/busybox:1";

  // Version: the header's and the loaded library's agree (same soname: 0.1).
  std::cout << "libgsc " << gsc::version() << " (headers " << GSC_VERSION_STRING << ")\n";
  check(std::string(gsc::version()) == GSC_VERSION_STRING, "gsc::version() is the headers' version");
  static_assert(GSC_VERSION_MAJOR == 0 && GSC_VERSION_MINOR >= 1, "a 0.x libgsc");

  // Errors thrown inside the library are caught here by type and category.
  expect_error(gsc::ErrorCategory::signature, "describe_sigstruct of 3 bytes",
               [] { gsc::describe_sigstruct("abc"); });
  expect_error(gsc::ErrorCategory::invalid_argument, "check_image_name(\"Bad Name\")",
               [] { gsc::check_image_name("Bad Name"); });

  // A configuration from memory; the documented default.
  const gsc::Config config = gsc::parse_config("Distro: \"debian:12\"\nGramine:\n  Image: \"my-gramine\"\n", "inline");
  check(config.distro == "debian:12" && config.gramine.image == "my-gramine", "parse_config from text");
  check(gsc::default_config().gramine.branch == "v1.9", "default_config() compiles Gramine v1.9");

  // build-gramine's context, written to a directory (builds nothing, no daemon): rendered
  // from the templates built into libgsc, as `templates_dir` is left empty.
  namespace fs = std::filesystem;
  const fs::path scratch = fs::temp_directory_path() / ("libgsc-consumer-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  std::ofstream(scratch / "config.yaml") << "Distro: \"debian:12\"\nGramine:\n  Repository: \"https://github.com/gramineproject/gramine.git\"\n  Branch: \"v1.9\"\n";
  auto client = gsc::docker::Client::from_environment();
  try {
    const auto r = gsc::build_gramine(client, {.image = "libgsc-consumer-gramine",
                                               .config_path = (scratch / "config.yaml").string(),
                                               .file_only_dir = (scratch / "context").string()},
                                      {});
    check(fs::is_regular_file(fs::path(r.file_only_dir) / "Dockerfile"), "build_gramine context from the built-in templates");
  } catch (const gsc::Error& e) {
    check(false, std::string("build_gramine file-only: ") + e.what());
  }
  fs::remove_all(scratch);

  // --- With a daemon -------------------------------------------------------------------
  bool daemon = true;
  try {
    client.ping();
  } catch (const gsc::Error& e) {
    std::cout << "skip: no Docker daemon (" << e.what() << ")\n";
    daemon = false;
  }
  if (daemon) {
    std::cout << "Docker API " << client.api_version() << " at " << client.endpoint().to_string() << "\n";
    const bool present = !client.list_images({.references = {image}}).empty();
    if (!present) {
      std::cout << "skip: no image " << image << " on the daemon\n";
    } else {
      expect_error(gsc::ErrorCategory::input, "info_image(" + image + ") of an image gsc did not sign",
                   [&] { gsc::info_image(client, image); });
      expect_error(gsc::ErrorCategory::input, "diff_images(" + image + ", " + image + ") of images gsc did not build",
                   [&] { gsc::diff_images(client, image, image); });
    }
  }

  // --- Threads, cancellation, signer ---------------------------------------------------
  // With GSC_CONSUMER_GRAMINE (a Gramine image), GSC_CONSUMER_APP (an app image with plenty of
  // files to hash) and GSC_CONSUMER_KEY (an RSA-3072, e=3 PEM key): two builds on two threads
  // sharing `client`, one stopped through its stop token when hashing starts, the other built
  // from a config and a manifest held in memory and signed by a Signer of this program's own;
  // the signature read back with info_image.
  const char* gramine = std::getenv("GSC_CONSUMER_GRAMINE");
  const char* app = std::getenv("GSC_CONSUMER_APP");
  const char* key_file = std::getenv("GSC_CONSUMER_KEY");
  if (daemon && gramine && app && key_file) {
    const std::string pid = std::to_string(::getpid());
    const std::string a = "libgsc-consumer/stopped", b = "libgsc-consumer/built";
    client.tag_image(app, a, pid);
    client.tag_image(app, b, pid);
    const std::string config = "Distro: \"debian:12\"\nGramine:\n  Image: \"" + std::string(gramine) + "\"\n";

    std::stop_source stop;
    std::optional<gsc::Error> stopped_error;
    std::thread stopped([&] {
      try {
        gsc::build(client,
                   {.image = a + ":" + pid, .manifest_text = "", .config_text = config, .use_cache = gsc::UseCache::no},
                   gsc::OperationContext{[&](const gsc::ProgressEvent& e) {
                                           if (e.kind == gsc::ProgressEvent::Kind::progress) stop.request_stop();
                                         },
                                         stop.get_token()});
      } catch (const gsc::Error& e) {
        stopped_error = e;
      }
    });
    std::optional<gsc::BuildResult> built;
    std::thread building([&] {
      try {
        built = gsc::build(client, {.image = b + ":" + pid, .manifest_text = "sgx.enclave_size = \"512M\"\n",
                                    .config_text = config});
      } catch (const gsc::Error& e) {
        check(false, std::string("build on the second thread: ") + e.what());
      }
    });
    stopped.join();
    building.join();
    check(stopped_error && stopped_error->category() == gsc::ErrorCategory::cancelled,
          "the build stopped mid-hash ends `cancelled`");
    check(client.list_images({.references = {"gsc-" + a + ":" + pid + "-unsigned"}}).empty(),
          "the stopped build left no gsc-" + a + ":" + pid + "-unsigned");
    check(built.has_value(), "the other build, on the same Client, succeeded");

    // A signer of this program's own: here it holds the PEM in memory, as an HSM would hold the key.
    struct MySigner : gsc::Signer {
      std::unique_ptr<gsc::Signer> inner;
      int calls = 0;
      std::string modulus() override { return inner->modulus(); }
      std::string sign(const gsc::SigningRequest& r) override {
        ++calls;
        return inner->sign(r);
      }
    };
    std::ifstream in(key_file);
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto signer = std::make_shared<MySigner>();
    signer->inner = gsc::make_pem_signer(pem);
    if (built) {
      try {
        const auto signed_ = gsc::sign_image(client, {.image = b + ":" + pid, .signer = signer, .config_text = config});
        const gsc::SigstructInfo info = gsc::info_image(client, signed_.image_name);
        check(signer->calls == 1, "the signer was called once");
        check(info.mr_enclave == signed_.info.mr_enclave && info.signature_valid,
              "info_image reads back the signed MRENCLAVE " + info.mr_enclave.substr(0, 16) + "...");
      } catch (const gsc::Error& e) {
        check(false, std::string("sign_image with a Signer: ") + e.what());
      }
    }
    for (const std::string& name : {"gsc-" + b + ":" + pid, "gsc-" + b + ":" + pid + "-unsigned", a + ":" + pid,
                                    b + ":" + pid}) {
      try {
        client.remove_image(name);
      } catch (const gsc::Error&) {
      }
    }
  } else if (daemon) {
    std::cout << "skip: threads, cancellation and signer (set GSC_CONSUMER_GRAMINE, GSC_CONSUMER_APP, GSC_CONSUMER_KEY)\n";
  }

  std::cout << (failures ? "libgsc-consumer: FAILED\n" : "libgsc-consumer: all checks passed\n");
  return failures ? 1 : 0;
}
