// gsc_bench: measures gsc against the daemon's own floor and against plain tools.
//
//   gsc_bench build IMAGE MANIFEST CONFIG   `gsc build` phases (stage build, export+hash,
//                                           final layer), peak RSS, image growth
//   gsc_bench hash IMAGE                    export+hash throughput vs `sha256sum` over the
//                                           same files inside a container (ratio)
//   gsc_bench info IMAGE                    info-image latency vs `docker run IMAGE cat` (ratio)
//   gsc_bench sign IMAGE KEY CONFIG         sign-image total time
//   gsc_bench compile CONFIG                build-gramine: context (-f), with the daemon's
//                                           cache, without it (--no-cache)
//   gsc_bench tune IMAGE KEY CONFIG         the loop of a user tuning a manifest: cold build,
//                                           rebuild with only the manifest changed, sign-image,
//                                           verify-image; each beside the daemon's floor for the
//                                           same layers (a docker build of just those layers)
//   gsc_bench cancel IMAGE CONFIG           cancellation latency of `gsc build` (stop request to
//                                           return, cleanup included) during the stage build and
//                                           during hashing, and what was left behind (must be 0)
//   gsc_bench apps CONFIG [MANIFEST]        `gsc build --no-cache` of each workload image
//                                           (gsc-test/app-*:1): wall time, and the share of the
//                                           analysis (entry point, runtime, places, report)
//
// Figures go to stdout, one `name: value unit` per line.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "gsc/docker.hpp"
#include "gsc/error.hpp"
#include "gsc/ops.hpp"
#include "image/scan.hpp"

namespace {

// $GSC_TEMPLATES_DIR, or "": the templates built into libgsc (as the CLI).
std::string templates_dir() {
  if (const char* env = std::getenv("GSC_TEMPLATES_DIR"); env && *env) return env;
  return "";
}

using Clock = std::chrono::steady_clock;

// `gsc build --no-cache IMAGE MANIFEST -c CONFIG`.
gsc::BuildOptions cold_build_options(const std::string& image, const std::string& manifest, const std::string& config) {
  gsc::BuildOptions opts;
  opts.image = image;
  opts.manifest_path = manifest;
  opts.config_path = config;
  opts.templates_dir = templates_dir();
  opts.use_cache = gsc::UseCache::no;
  return opts;
}

double seconds_of(const std::function<void()>& fn) {
  const auto start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs a shell command, returns its stdout; a failure ends the benchmark.
std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  char buf[4096];
  while (const auto n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  if (pclose(pipe) != 0) throw std::runtime_error("failed: " + command);
  return out;
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double image_size_mb(const std::string& image) {
  return std::stod(shell("docker image inspect -f '{{.Size}}' " + image)) / 1e6;
}

int bench_build(const std::string& source_image, const std::string& manifest, const std::string& config) {
  auto client = gsc::docker::Client::from_environment();
  // Build under a private name, so an existing gsc-IMAGE neither short-cuts the build nor is replaced.
  const std::string image = "gsc-bench/app:" + std::to_string(::getpid());
  shell("docker tag " + source_image + " " + image);
  struct Cleanup {
    std::string image;
    ~Cleanup() {
      std::system(("docker rmi -f gsc-" + image + "-unsigned " + image + " >/dev/null 2>&1").c_str());
    }
  } cleanup{image};
  const gsc::BuildOptions opts = cold_build_options(image, manifest, config);
  gsc::BuildResult result;
  const double total = seconds_of([&] { result = gsc::build(client, opts, {}); });
  std::cout << "build.total: " << total << " s\n";
  for (const auto& t : result.timings)
    std::cout << "build." << t.phase << ": " << static_cast<double>(t.duration.count()) / 1000.0 << " s\n";
  std::cout << "build.trusted_files: " << result.trusted_files << "\n";
  std::cout << "build.bytes_hashed: " << static_cast<double>(result.bytes_hashed) / 1e6 << " MB\n";
  std::cout << "build.peak_rss: " << peak_rss_kb() / 1024.0 << " MB\n";
  const double before = image_size_mb(source_image), after = image_size_mb(result.image_name);
  std::cout << "build.image_growth: " << after - before << " MB (" << before << " -> " << after << ")\n";
  return 0;
}

int bench_hash(const std::string& image) {
  auto client = gsc::docker::Client::from_environment();
  gsc::docker::ContainerCreateOptions create;
  create.image = image;
  create.labels = {{"gsc.bench", "1"}};
  const auto id = client.create_container(create).id;
  gsc::image::ScanResult scan;
  double ours = 0;
  try {
    ours = seconds_of([&] {
      auto stream = client.export_container(id);
      scan = gsc::image::scan(*stream, {});
    });
  } catch (...) {
    client.remove_container(id, {});
    throw;
  }
  client.remove_container(id, {});
  const double mb = static_cast<double>(scan.bytes_hashed) / 1e6;
  // The same files hashed by coreutils inside a container of the image (its own disk, no
  // export): the floor a shell script in the image would get.
  const std::string script =
      "find / -xdev -type f -not -path '/proc/*' -not -path '/sys/*' -print0 | xargs -0 -P2 -n64 sha256sum >/dev/null";
  const double theirs = seconds_of([&] {
    shell("docker run --rm --entrypoint /bin/sh " + image + " -c \"" + script + "\" >/dev/null 2>&1 || true");
  });
  std::cout << "hash.files: " << scan.files << "\n";
  std::cout << "hash.bytes: " << mb << " MB\n";
  std::cout << "hash.gsc_export_and_hash: " << ours << " s (" << mb / ours << " MB/s)\n";
  std::cout << "hash.sha256sum_in_container: " << theirs << " s\n";
  std::cout << "hash.ratio_gsc_over_sha256sum: " << ours / theirs << "\n";
  std::cout << "hash.peak_rss: " << peak_rss_kb() / 1024.0 << " MB\n";
  return 0;
}

int bench_info(const std::string& image) {
  auto client = gsc::docker::Client::from_environment();
  constexpr int runs = 5;
  const double ours = seconds_of([&] {
    for (int i = 0; i < runs; ++i) gsc::info_image(client, image);
  }) / runs;
  const double theirs = seconds_of([&] {
    for (int i = 0; i < runs; ++i)
      shell("docker run --rm --entrypoint /bin/cat " + image + " /gramine/app_files/entrypoint.sig >/dev/null");
  }) / runs;
  std::cout << "info.gsc_info_image: " << ours * 1000 << " ms\n";
  std::cout << "info.docker_run_cat: " << theirs * 1000 << " ms\n";
  std::cout << "info.ratio_gsc_over_docker_run: " << ours / theirs << "\n";
  return 0;
}

int bench_sign(const std::string& image, const std::string& key, const std::string& config) {
  auto client = gsc::docker::Client::from_environment();
  gsc::SignOptions opts;
  opts.image = image;
  opts.key_path = key;
  opts.config_path = config;
  opts.templates_dir = templates_dir();
  gsc::SignResult result;
  const double total = seconds_of([&] { result = gsc::sign_image(client, opts, {}); });
  std::cout << "sign.total: " << total << " s\n";
  for (const auto& t : result.timings)
    std::cout << "sign." << t.phase << ": " << static_cast<double>(t.duration.count()) / 1000.0 << " s\n";
  return 0;
}

int bench_compile(const std::string& config) {
  auto client = gsc::docker::Client::from_environment();
  const std::string image = "gsc-bench/gramine:" + std::to_string(::getpid());
  struct Cleanup {
    std::string image, dir;
    ~Cleanup() {
      std::system(("docker rmi -f " + image + " >/dev/null 2>&1").c_str());
      std::filesystem::remove_all(dir);
    }
  } cleanup{image, (std::filesystem::temp_directory_path() / ("gsc-bench-" + std::to_string(::getpid()))).string()};
  gsc::BuildGramineOptions opts;
  opts.image = image;
  opts.config_path = config;
  opts.templates_dir = templates_dir();
  opts.file_only_dir = cleanup.dir;
  std::cout << "compile.context: " << seconds_of([&] { gsc::build_gramine(client, opts, {}); }) << " s\n";
  std::uintmax_t context_bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(cleanup.dir))
    if (entry.is_regular_file()) context_bytes += entry.file_size();
  std::cout << "compile.context_size: " << static_cast<double>(context_bytes) / 1e6 << " MB\n";
  opts.file_only_dir.clear();
  std::cout << "compile.cached: " << seconds_of([&] { gsc::build_gramine(client, opts, {}); }) << " s\n";
  opts.use_cache = gsc::UseCache::no;
  std::cout << "compile.no_cache: " << seconds_of([&] { gsc::build_gramine(client, opts, {}); }) << " s\n";
  std::cout << "compile.image_size: " << image_size_mb(image) << " MB\n";
  return 0;
}

// A docker build (CLI) of `dockerfile` with `files` in its context; seconds.
double docker_build_seconds(const std::string& dockerfile, const std::vector<std::pair<std::string, std::string>>& files,
                            const std::string& tag) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gsc-bench-ctx-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "Dockerfile") << dockerfile;
  for (const auto& [name, content] : files) std::ofstream(dir / name, std::ios::binary) << content;
  const double t = seconds_of([&] { shell("docker build -q -t " + tag + " " + dir.string() + " >/dev/null 2>&1"); });
  std::filesystem::remove_all(dir);
  return t;
}

int bench_tune(const std::string& source_image, const std::string& key, const std::string& config) {
  auto client = gsc::docker::Client::from_environment();
  const std::string pid = std::to_string(::getpid());
  const std::string image = "gsc-bench/tune:" + pid, floor_tag = "gsc-bench/floor:" + pid;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gsc-bench-tune-" + pid);
  std::filesystem::create_directories(dir);
  shell("docker tag " + source_image + " " + image);
  struct Cleanup {
    std::string image, floor_tag;
    std::filesystem::path dir;
    ~Cleanup() {
      std::system(("docker rmi -f gsc-" + image + " gsc-" + image + "-unsigned " + image + " " + floor_tag +
                   " >/dev/null 2>&1").c_str());
      std::filesystem::remove_all(dir);
    }
  } cleanup{image, floor_tag, dir};
  const std::string cache_dir = (dir / "cache").string();
  gsc::BuildOptions b;
  b.image = image;
  b.config_path = config;
  b.templates_dir = templates_dir();
  b.cache_dir = cache_dir;
  auto manifest = [&](int threads) {
    const std::string path = (dir / ("m" + std::to_string(threads) + ".manifest")).string();
    std::ofstream(path) << "sgx.max_threads = " << threads << "\nsgx.enclave_size = \"1G\"\n";
    return path;
  };
  auto phases = [](const std::string& prefix, const std::vector<gsc::PhaseTiming>& timings) {
    for (const auto& t : timings)
      std::cout << prefix << t.phase << ": " << static_cast<double>(t.duration.count()) / 1000.0 << " s\n";
  };

  b.manifest_path = manifest(4);
  b.use_cache = gsc::UseCache::no;
  gsc::BuildResult cold;
  std::cout << "tune.build_cold: " << seconds_of([&] { cold = gsc::build(client, b, {}); }) << " s\n";
  b.manifest_path = manifest(8);
  b.use_cache = gsc::UseCache::yes;
  gsc::BuildResult warm;
  const double rebuild = seconds_of([&] { warm = gsc::build(client, b, {}); });
  std::cout << "tune.rebuild_manifest_changed: " << rebuild << " s\n";
  phases("tune.rebuild.", warm.timings);
  // The daemon's floor for a rebuild: the stage from the build cache, then one new layer
  // holding a manifest of the same size.
  const std::string stage = shell("docker image inspect -f '{{.Parent}}' " + warm.image_id);
  const std::string manifest_bytes(1 << 20, 'm');
  const double floor_layer = docker_build_seconds("FROM " + stage.substr(0, stage.find('\n')) +
                                                      "\nCOPY m /gramine/app_files/m\nLABEL bench=" + pid + "\n",
                                                  {{"m", manifest_bytes + pid}}, floor_tag);
  const double floor_cached = docker_build_seconds("FROM " + stage.substr(0, stage.find('\n')) +
                                                       "\nCOPY m /gramine/app_files/m\nLABEL bench=" + pid + "\n",
                                                   {{"m", manifest_bytes + pid}}, floor_tag);
  std::cout << "tune.floor_rebuild: " << floor_layer + floor_cached << " s (one new layer " << floor_layer
            << " s + a cached build " << floor_cached << " s)\n";
  std::cout << "tune.ratio_rebuild_over_floor: " << rebuild / (floor_layer + floor_cached) << "\n";

  gsc::SignOptions so;
  so.image = image;
  so.key_path = key;
  so.config_path = config;
  so.templates_dir = templates_dir();
  gsc::SignResult signed_result;
  const double sign = seconds_of([&] { signed_result = gsc::sign_image(client, so, {}); });
  std::cout << "tune.sign: " << sign << " s\n";
  phases("tune.sign.", signed_result.timings);
  const double floor_sign = docker_build_seconds("FROM " + warm.image_id + "\nCOPY s x /gramine/app_files/\n",
                                                 {{"s", std::string(1808, 's') + pid}, {"x", manifest_bytes + pid}}, floor_tag);
  std::cout << "tune.floor_sign: " << floor_sign << " s (one layer with two files)\n";
  std::cout << "tune.ratio_sign_over_floor: " << sign / floor_sign << "\n";

  gsc::VerifyOptions vo;
  vo.image = "gsc-" + image;
  vo.cache_dir = cache_dir;
  vo.use_cache = gsc::UseCache::no;
  gsc::VerifyResult verified;
  std::cout << "tune.verify_cold: " << seconds_of([&] { verified = gsc::verify_image(client, vo, {}); }) << " s ("
            << (verified.match ? "match" : "MISMATCH") << ", " << verified.trusted_files << " trusted files)\n";
  vo.use_cache = gsc::UseCache::yes;
  gsc::verify_image(client, vo, {});  // fills the cache
  std::cout << "tune.verify_warm: " << seconds_of([&] { verified = gsc::verify_image(client, vo, {}); }) << " s\n";
  phases("tune.verify_warm.", verified.timings);
  std::cout << "tune.peak_rss: " << peak_rss_kb() / 1024.0 << " MB\n";
  return verified.match ? 0 : 1;
}

int bench_apps(const std::string& config, std::string manifest) {
  auto client = gsc::docker::Client::from_environment();
  const std::string tmp = (std::filesystem::temp_directory_path() / ("gsc-bench-" + std::to_string(::getpid()))).string();
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{tmp};
  if (manifest.empty()) {  // the manifest a user writes first
    std::filesystem::create_directories(tmp);
    manifest = tmp + "/first.manifest";
    std::ofstream(manifest) << "sgx.enclave_size = \"1G\"\nsgx.max_threads = 16\n";
  }
  std::istringstream images(shell("docker images --format '{{.Repository}}:{{.Tag}}' 'gsc-test/app-*' | sort"));
  double sum_total = 0, sum_analysis = 0;
  for (std::string source; std::getline(images, source);) {
    const std::string app = source.substr(source.find("app-") + 4, source.find(':') - source.find("app-") - 4);
    const std::string image = "gsc-bench/app-" + app + ":" + std::to_string(::getpid());
    shell("docker tag " + source + " " + image);
    struct Remove {
      std::string image;
      ~Remove() { std::system(("docker rmi -f gsc-" + image + "-unsigned " + image + " >/dev/null 2>&1").c_str()); }
    } remove{image};
    const gsc::BuildOptions opts = cold_build_options(image, manifest, config);
    gsc::BuildResult result;
    const double total = seconds_of([&] { result = gsc::build(client, opts, {}); });
    double analysis = 0;
    std::cout << "apps." << app << ".total: " << total << " s\n";
    for (const auto& t : result.timings) {
      const double s = static_cast<double>(t.duration.count()) / 1000.0;
      std::cout << "apps." << app << "." << t.phase << ": " << s << " s\n";
      if (t.phase == "analysis" || t.phase == "entry_point") analysis += s;
    }
    std::cout << "apps." << app << ".analysis_share: " << 100.0 * analysis / total << " % (entry point + analysis: "
              << analysis * 1000 << " ms)\n";
    std::cout << "apps." << app << ".trusted_files: " << result.trusted_files << " (" << result.runtime
              << (result.runtime.empty() ? "no runtime" : "") << ")\n";
    sum_total += total;
    sum_analysis += analysis;
  }
  if (sum_total > 0) std::cout << "apps.all.analysis_share: " << 100.0 * sum_analysis / sum_total << " %\n";
  return 0;
}

// Stops `gsc build --no-cache` of IMAGE `delay` after the progress step that starts with
// `phase`; returns the seconds from the stop request to build()'s return (cleanup included).
double cancel_once(gsc::docker::Client& client, const std::string& image, const std::string& manifest,
                   const std::string& config, const std::string& phase, std::chrono::milliseconds delay) {
  const gsc::BuildOptions opts = cold_build_options(image, manifest, config);
  std::stop_source stop;
  std::atomic<long long> requested_ns{0};
  std::thread stopper;
  auto request = [&] {
    requested_ns = Clock::now().time_since_epoch().count();
    stop.request_stop();
  };
  auto progress = [&](const gsc::ProgressEvent& e) {
    if (e.kind != gsc::ProgressEvent::Kind::step || e.text.rfind(phase, 0) != 0 || stopper.joinable()) return;
    stopper = std::thread([&, delay] {
      std::this_thread::sleep_for(delay);
      request();
    });
  };
  try {
    gsc::build(client, opts, gsc::OperationContext{progress, stop.get_token()});
  } catch (const gsc::Error& e) {
    const auto returned = Clock::now().time_since_epoch().count();
    if (stopper.joinable()) stopper.join();
    if (e.category() != gsc::ErrorCategory::cancelled) throw;
    return static_cast<double>(returned - requested_ns.load()) / 1e9;
  }
  if (stopper.joinable()) stopper.join();
  throw std::runtime_error("the build of " + image + " finished before the stop request (phase `" + phase + "`)");
}

int bench_cancel(const std::string& source_image, const std::string& config) {
  auto client = gsc::docker::Client::from_environment();
  const std::string image = "gsc-bench/cancel:" + std::to_string(::getpid());
  shell("docker tag " + source_image + " " + image);
  const std::string manifest = "/tmp/gsc-bench-cancel-" + std::to_string(::getpid()) + ".manifest";
  std::ofstream(manifest) << "";
  struct Cleanup {
    std::string image, manifest;
    ~Cleanup() {
      std::system(("docker rmi " + image + " >/dev/null 2>&1").c_str());
      std::remove(manifest.c_str());
    }
  } cleanup{image, manifest};
  // What this process's operations own (the daemon is shared: other images come and go).
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string owned = "docker ps -aq --filter label=gsc.owner=" + std::to_string(::getpid()) + "@" + host +
                            "; docker images --format '{{.Repository}}' | grep -c '^gsc-owned/.*-" +
                            std::to_string(::getpid()) + "$' || true";
  const struct {
    const char* name;
    const char* phase;
    std::chrono::milliseconds delay;
  } cases[] = {{"stage_build", "Building the stage image", std::chrono::milliseconds(300)},
               {"hashing", "Hashing the image's files", std::chrono::milliseconds(150)}};
  for (const auto& c : cases) {
    std::vector<double> runs;
    for (int i = 0; i < 3; ++i) runs.push_back(cancel_once(client, image, manifest, config, c.phase, c.delay));
    std::sort(runs.begin(), runs.end());
    std::cout << "cancel." << c.name << ".latency_median: " << runs[1] * 1000 << " ms\n";
    std::cout << "cancel." << c.name << ".latency_max: " << runs[2] * 1000 << " ms\n";
  }
  const std::string left = shell(owned);
  std::cout << "cancel.left_behind: " << (left == "0\n" ? "nothing" : left) << " (containers and held images of this process)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  try {
    if (a.size() == 4 && a[0] == "build") return bench_build(a[1], a[2], a[3]);
    if (a.size() == 2 && a[0] == "hash") return bench_hash(a[1]);
    if (a.size() == 2 && a[0] == "info") return bench_info(a[1]);
    if (a.size() == 4 && a[0] == "sign") return bench_sign(a[1], a[2], a[3]);
    if (a.size() == 2 && a[0] == "compile") return bench_compile(a[1]);
    if (a.size() == 4 && a[0] == "tune") return bench_tune(a[1], a[2], a[3]);
    if (a.size() == 3 && a[0] == "cancel") return bench_cancel(a[1], a[2]);
    if ((a.size() == 2 || a.size() == 3) && a[0] == "apps") return bench_apps(a[1], a.size() == 3 ? a[2] : "");
  } catch (const std::exception& e) {
    std::cerr << "gsc_bench: " << e.what() << '\n';
    return 1;
  }
  std::cerr << "usage: gsc_bench build IMAGE MANIFEST CONFIG | hash IMAGE | info IMAGE | sign IMAGE KEY CONFIG | "
               "compile CONFIG | tune IMAGE KEY CONFIG | cancel IMAGE CONFIG | apps CONFIG [MANIFEST]\n";
  return 2;
}
