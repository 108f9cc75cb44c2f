#include "output.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "gsc/error.hpp"

namespace po = boost::program_options;

namespace gsc::cli {
namespace {

nlohmann::json timings_json(const std::vector<PhaseTiming>& timings) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& t : timings) out[t.phase] = static_cast<double>(t.duration.count()) / 1000.0;
  return out;
}

}  // namespace

void add_output_flags(po::options_description& options) {
  options.add_options()
    ("format", po::value<std::string>(), "result format: text, json (info-image: toml, json)")
    ("quiet,q", "print only the resulting image id");
}

Output::Output(const po::variables_map& vm, Default fallback)
    : format_(fallback == Default::toml ? Format::toml : Format::text), quiet_(vm.count("quiet") > 0) {
  if (vm.count("format")) {
    const auto f = vm["format"].as<std::string>();
    if (f == "json") format_ = Format::json;
    else if (f == "toml" && fallback == Default::toml) format_ = Format::toml;
    else if (f == "text" && fallback == Default::text) format_ = Format::text;
    else throw Error(ErrorCategory::invalid_argument, "unknown `--format " + f + "`. Use " +
                                               (fallback == Default::toml ? "`toml` or `json`." : "`text` or `json`."));
  }
}

ProgressFn Output::progress() const {
  if (quiet_) return {};
  return stderr_progress();
}

namespace {

// How the CLI shows Kind::progress: a bar redrawn in place on a terminal, plain lines (at
// most one every 10 s, and the total at the end) anywhere else: pipes and CI logs get no bars.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool terminal) : terminal_(terminal) {}

  void operator()(const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::progress) return counters(e);
    clear_bar();
    switch (e.kind) {
      case ProgressEvent::Kind::step: std::cerr << "gsc: " << e.text << '\n'; break;
      case ProgressEvent::Kind::build_output: std::cerr << "  " << e.text << '\n'; break;
      case ProgressEvent::Kind::info: std::cerr << "gsc: " << e.text << '\n'; break;
      case ProgressEvent::Kind::warning: std::cerr << "gsc: warning: " << e.text << '\n'; break;
      case ProgressEvent::Kind::progress: break;
    }
  }

 private:
  void counters(const ProgressEvent& e) {
    if (e.finished) {
      clear_bar();
      std::cerr << "gsc: " << e.text << '\n';
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!terminal_) {
      if (now - last_line_ < std::chrono::seconds(10)) return;
      last_line_ = now;
      std::cerr << "gsc: " << e.text << '\n';
      return;
    }
    constexpr int kWidth = 30;
    std::string bar;
    if (e.bytes_total > 0) {
      const double part = std::min(1.0, static_cast<double>(e.bytes_done) / static_cast<double>(e.bytes_total));
      const int filled = static_cast<int>(part * kWidth);
      bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
            std::to_string(static_cast<int>(part * 100)) + "% ";
    }
    std::cerr << "\r\033[K" << "gsc: " << bar << e.text << std::flush;
    bar_shown_ = true;
  }

  void clear_bar() {
    if (!bar_shown_) return;
    std::cerr << "\r\033[K" << std::flush;
    bar_shown_ = false;
  }

  bool terminal_;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point last_line_ = std::chrono::steady_clock::now();
};

}  // namespace

ProgressFn stderr_progress() {
  auto printer = std::make_shared<ProgressPrinter>(::isatty(STDERR_FILENO) == 1);
  return [printer](const ProgressEvent& e) {
    (*printer)(e);
    // A closed pipe (`gsc build ... 2>&1 | grep -m1 x`; SIGPIPE is ignored): throwing stops the
    // operation, which removes what it created; the error cannot be printed, the status says it.
    if (!std::cerr)
      throw Error(ErrorCategory::cancelled, "The output of gsc was closed: stopped, and removed what this run created.");
  };
}

std::string format_verify_text(const VerifyResult& r) {
  std::string out;
  if (r.match) {
    out = r.image_name + ": verified: MRENCLAVE " + r.mr_enclave_signed + " is the measurement of its contents (Gramine " +
          r.gramine_version + ", " + std::to_string(r.trusted_files) + " trusted files checked)\n";
    return out;
  }
  out = r.image_name + ": MISMATCH: its contents do not give the signed MRENCLAVE " + r.mr_enclave_signed + " (" +
        std::to_string(r.findings.size()) + " finding" + (r.findings.size() == 1 ? "" : "s") + ")\n";
  for (const auto& f : r.findings) out += "  " + std::string(to_string(f.part)) + " " + f.subject + ": " + f.detail + "\n";
  return out;
}

std::string format_verify_json(const VerifyResult& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back({{"part", to_string(f.part)}, {"subject", f.subject}, {"detail", f.detail}});
  const nlohmann::json j = {{"image", r.image_name},
                            {"image_id", r.image_id},
                            {"match", r.match},
                            {"mr_enclave_signed", r.mr_enclave_signed},
                            {"mr_enclave_computed", r.mr_enclave_computed},
                            {"gramine_version", r.gramine_version},
                            {"trusted_files", r.trusted_files},
                            {"findings", findings},
                            {"timings_s", timings_json(r.timings)}};
  return j.dump(2) + "\n";
}

void Output::print_build(const BuildResult& r) const {
  if (quiet_) {
    std::cout << r.image_id << '\n';
    return;
  }
  if (format_ == Format::json) {
    nlohmann::json settings = nlohmann::json::array(), places = nlohmann::json::array();
    for (const auto& s : r.settings) settings.push_back({{"key", s.key}, {"value", s.value}, {"reason", s.reason}});
    for (const auto& p : r.places)
      places.push_back({{"path", p.path}, {"what", p.what}, {"access", p.access}, {"source", p.source}, {"line", p.line}});
    nlohmann::json j = {{"image", r.image_name},       {"image_id", r.image_id},
                        {"already_signed", r.already_signed}, {"base_image_id", r.base_image_id},
                        {"gramine_image", r.gramine_image}, {"distro", r.distro},
                        {"argv", r.argv},               {"entrypoint", r.entrypoint},
                        {"entrypoint_chain", r.entrypoint_chain}, {"runtime", r.runtime},
                        {"settings", settings},          {"places", places},
                        {"manifest_check", r.manifest_check},
                        {"trusted_files", r.trusted_files},
                        {"bytes_hashed", r.bytes_hashed}, {"timings_s", timings_json(r.timings)}};
    std::cout << j.dump(2) << '\n';
    return;
  }
  if (r.already_signed) {
    std::cout << "Image " << r.image_name << " already exists: nothing to build. To build it again (a changed "
              << "manifest or image), pass `--rebuild`, then sign it again with `gsc sign-image`.\n";
    return;
  }
  std::cout << "Successfully graminized image " << r.image_name << " (" << r.trusted_files
            << " trusted files). Sign it with `gsc sign-image`.\n";
}

void Output::print_sign(const SignResult& r, const SignOptions& options) const {
  if (!options.export_signing_data_path.empty() && r.image_name.empty()) {
    if (format_ == Format::json)
      std::cout << nlohmann::json{{"signing_data", options.export_signing_data_path},
                                  {"mr_enclave", r.info.mr_enclave}}.dump(2) << '\n';
    else if (!quiet_)
      std::cout << "Wrote the data to sign to " << options.export_signing_data_path
                << ". Sign it with your key, e.g. `openssl dgst -sha256 -sign KEY.pem -out SIG "
                << options.export_signing_data_path << "`, then run `gsc sign-image --import-signature SIG --date "
                << r.info.date << " " << options.image << " PUBLIC-KEY.pem`.\n";
    return;
  }
  if (quiet_) {
    std::cout << r.image_id << '\n';
    return;
  }
  if (format_ == Format::json) {
    nlohmann::json j = {{"image", r.image_name}, {"image_id", r.image_id}, {"mr_enclave", r.info.mr_enclave},
                        {"mr_signer", r.info.mr_signer}, {"timings_s", timings_json(r.timings)}};
    std::cout << j.dump(2) << '\n';
    return;
  }
  std::cout << "Successfully signed image " << r.image_name << "\n  mr_enclave = " << r.info.mr_enclave
            << "\n  mr_signer  = " << r.info.mr_signer << '\n';
}

void Output::print_build_gramine(const BuildGramineResult& r) const {
  if (quiet_) {
    std::cout << r.image_id << '\n';
    return;
  }
  if (format_ == Format::json) {
    nlohmann::json j = {{"image", r.image_name}, {"image_id", r.image_id}, {"file_only_dir", r.file_only_dir},
                        {"timings_s", timings_json(r.timings)}};
    std::cout << j.dump(2) << '\n';
    return;
  }
  if (!r.file_only_dir.empty())
    std::cout << "Wrote the Dockerfile and build context to " << r.file_only_dir << " (nothing built).\n";
  else
    std::cout << "Successfully built Gramine image " << r.image_name << ". Use it as `Gramine.Image` in config.yaml.\n";
}

void Output::print_info(const SigstructInfo& info) const {
  std::cout << (format_ == Format::json ? format_info_json(info) : format_info_toml(info));
}

}  // namespace gsc::cli
