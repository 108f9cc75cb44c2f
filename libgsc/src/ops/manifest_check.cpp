#include "ops/manifest_check.hpp"

#include "docker/operation.hpp"

#include "gsc/error.hpp"
#include "tar/writer.hpp"

namespace gsc::ops {
namespace {


// In the Gramine image: find the tool and the Python its #! names; exit 3 without them.
constexpr const char* kShell =
    "tool=$(command -v gramine-manifest-check) || exit 3\n"
    "python=$(sed -n '1s/^#! *//p' \"$tool\")\n"
    "[ -n \"$python\" ] || exit 3\n"
    "exec $python -c \"$1\" \"$tool\" " "/tmp/gsc-check/entrypoint.manifest\n";

// Loads what the tool imports while gsc hashes, waits (an hour at most) for the manifest,
// then runs the tool itself, unchanged, on it.
constexpr const char* kPython =
    "import os, runpy, sys, time\n"
    "tool, path = sys.argv[1], sys.argv[2]\n"
    "try:\n"
    "    import click, voluptuous\n"
    "    import graminelibos.manifest_check\n"
    "except Exception:\n"
    "    pass\n"
    "deadline = time.monotonic() + 3600\n"
    "while not os.path.exists(path + '.ready'):\n"
    "    if time.monotonic() > deadline:\n"
    "        sys.exit(4)\n"
    "    time.sleep(0.02)\n"
    "sys.argv = [tool, path]\n"
    "runpy.run_path(tool, run_name='__main__')\n";

// The last non-empty line of a text.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// The first line of `text` that holds `needle`, "" when none.
std::string line_with(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) return "";
  const auto start = text.rfind('\n', at);
  const auto end = text.find('\n', at);
  const std::size_t from = start == std::string::npos ? 0 : start + 1;
  return text.substr(from, (end == std::string::npos ? text.size() : end) - from);
}

}  // namespace

ManifestCheck::Verdict verdict_of(int exit_code, const std::string& out, const std::string& err,
                                  const std::string& gramine_image) {
  using Kind = ManifestCheck::Verdict::Kind;
  if (exit_code == 0) return {Kind::valid, ""};
  if (exit_code == 3)
    return {Kind::not_checked, "the Gramine image `" + gramine_image + "` has no gramine-manifest-check: the manifest "
                               "is not checked by Gramine"};
  // The tool's own findings: a schema error on stdout (status 1), a TOML error through click (2).
  if (const std::string schema = line_with(out, "error in manifest"); exit_code == 1 && !schema.empty())
    return {Kind::rejected, schema};
  if (const std::string parse = line_with(err, "error parsing manifest"); exit_code == 2 && !parse.empty())
    return {Kind::rejected, parse.rfind("Error: ", 0) == 0 ? parse.substr(7) : parse};
  std::string why = last_line(err.empty() ? out : err);
  if (why.empty()) why = "exit status " + std::to_string(exit_code);
  return {Kind::not_checked, "gramine-manifest-check of `" + gramine_image + "` could not run (" + why +
                                 "): the manifest is not checked by Gramine"};
}

ManifestCheck::ManifestCheck(const docker::Endpoint& endpoint, std::string gramine_image)
    : client_(endpoint), gramine_image_(std::move(gramine_image)), op_(docker::current_operation()) {
  started_ = std::async(std::launch::async, [this] {
    const docker::OperationScope scope(op_);  // the operation's: labelled, recorded, stoppable
    container_ = std::make_unique<EphemeralContainer>(
        client_, docker::ContainerCreateOptions{.image = gramine_image_,
                                                .entrypoint = std::vector<std::string>{"/bin/sh", "-c", kShell,
                                                                                       "gsc-manifest-check", kPython},
                                                .cmd = std::vector<std::string>{},
                                                .user = "0",
                                                .network_disabled = true});
    client_.start_container(container_->id());
  });
}

ManifestCheck::~ManifestCheck() {
  if (started_.valid()) started_.wait();
}

ManifestCheck::Verdict ManifestCheck::check(const std::string& manifest_text) {
  const docker::OperationScope scope(op_);  // called on a thread of its own: stoppable with the operation
  try {
    started_.get();
    tar::Writer files;
    files.add_file("gsc-check/entrypoint.manifest", manifest_text);
    files.add_file("gsc-check/entrypoint.manifest.ready", "");  // after the manifest: the tar is sorted
    client_.put_archive(container_->id(), "/tmp", files.finish());
    const int status = client_.wait_container(container_->id()).exit_code;
    const auto logs = client_.container_logs(container_->id());
    return verdict_of(status, logs.out, logs.err, gramine_image_);
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::cancelled) throw;
    return {Verdict::Kind::not_checked, "gramine-manifest-check of `" + gramine_image_ + "` could not run (" +
                                            std::string(e.what()) + "): the manifest is not checked by Gramine"};
  }
}

}  // namespace gsc::ops
