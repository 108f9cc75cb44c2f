#include "ops/measure.hpp"

#include <map>
#include <memory>

#include "gsc/error.hpp"
#include "tar/reader.hpp"
#include "ops/container.hpp"
#include "sgx/sigstruct.hpp"

namespace gsc::ops {

namespace {

// The regular files directly in `directory` of a container, by name, in one archive request
// (gsc's files in /gramine/app_files are few and small; the image controls them, so the
// total is bounded).
std::map<std::string, std::string> read_directory_files(docker::Client& client, const std::string& container,
                                                        const std::string& directory) {
  constexpr std::uint64_t kMaxTotal = 512ull << 20;
  std::map<std::string, std::string> out;
  std::unique_ptr<ByteSource> body;
  try {
    body = client.get_archive(container, directory);
  } catch (const Error& e) {
    if (e.category() == ErrorCategory::not_found) return out;
    throw;
  }
  tar::Reader reader(*body);
  std::uint64_t total = 0;
  const std::string base = directory.substr(directory.rfind('/'));  // "/app_files": the archive's root
  while (auto entry = reader.next()) {
    if (entry->type != tar::EntryType::file || entry->path.rfind(base + "/", 0) != 0) continue;
    const std::string name = entry->path.substr(base.size() + 1);
    if (name.find('/') != std::string::npos) continue;
    total += entry->size;
    if (name == "entrypoint.sig" && entry->size > 64 * 1024)
      throw Error(ErrorCategory::input, "The image's " + directory + "/entrypoint.sig has " + std::to_string(entry->size) +
                                            " bytes: not a SIGSTRUCT (1808 bytes).");
    if (total > kMaxTotal)
      throw Error(ErrorCategory::input, "The image's " + directory + " holds more than 512 MiB: not gsc's files.");
    out[name] = reader.read_all();
  }
  return out;
}

}  // namespace

GraminizedFiles read_graminized(docker::Client& client, const std::string& image_id, const std::string& name) {
  EphemeralContainer container(client, docker::ContainerCreateOptions{
                                           .image = image_id, .entrypoint = std::vector<std::string>{"/gsc-never-started"}});
  auto app_files = read_directory_files(client, container.id(), "/gramine/app_files");
  auto take = [&](const char* path) -> std::optional<std::string> {
    const std::string file = std::string(path).substr(std::string("/gramine/app_files/").size());
    const auto it = app_files.find(file);
    if (it == app_files.end()) return std::nullopt;
    return std::move(it->second);
  };
  auto manifest = take(kManifestPath);
  if (!manifest)
    throw Error(ErrorCategory::input, "`" + name + "` is not a graminized image (no " + kManifestPath +
                                          "). Make one with `gsc build`.");
  GraminizedFiles out;
  out.manifest = std::move(*manifest);
  out.manifest_sgx = take(kManifestSgxPath);
  out.sigstruct = take(kSigPath);
  // Gramine 1.x's gramine-sgx is a short bash script naming its version and PAL; anything
  // larger is no such script, and the image's Gramine stays unknown.
  try {
    if (const auto launcher = read_container_file(client, container.id(), gramine::kLauncherPath, 1 << 20))
      out.runtime = gramine::runtime_from_launcher(*launcher);
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::input) throw;
  }
  // The SGX PAL at the path gramine-sgx names; else where Gramine's layouts put it.
  std::vector<std::string> candidates{out.runtime.libpal_path};
  if (out.runtime.libpal_path.empty())
    candidates = {"/gramine/meson_build_output/lib/x86_64-linux-gnu/gramine/sgx/libpal.so",
                  "/gramine/meson_build_output/lib64/gramine/sgx/libpal.so"};
  for (const auto& path : candidates) {
    if (auto libpal = read_container_file(client, container.id(), path, 64 << 20)) {
      out.libpal = std::move(*libpal);
      out.runtime.libpal_path = path;
      out.runtime.pkglibdir = path.substr(0, path.size() - std::string("/sgx/libpal.so").size());
      break;
    }
  }
  return out;
}

const image::Filesystem& LazyImageFiles::fs() const {
  if (!fs_) fs_ = scanner_().fs;
  return *fs_;
}

gramine::FileView::Kind LazyImageFiles::kind(const std::string& path) const {
  const image::Node* node = nullptr;
  try {
    node = image::resolve_node(fs(), path);
  } catch (const Error&) {
    return Kind::other;  // a symlink loop: neither file nor directory
  }
  if (!node) return Kind::missing;
  switch (node->type) {
    case image::Node::Type::file: return Kind::file;
    case image::Node::Type::directory: return Kind::directory;
    default: return Kind::other;
  }
}

bool LazyImageFiles::is_symlink(const std::string& path) const {
  const auto slash = path.rfind('/');
  std::optional<std::string> parent;
  try {
    parent = image::resolve(fs(), slash == 0 ? "/" : path.substr(0, slash));
  } catch (const Error&) {
    return false;
  }
  if (!parent) return false;
  const auto it = fs().nodes.find(image::join_path(*parent, path.substr(slash + 1)));
  return it != fs().nodes.end() && it->second.type == image::Node::Type::symlink;
}

std::vector<std::string> LazyImageFiles::list(const std::string& directory) const {
  std::optional<std::string> real;
  try {
    real = image::resolve(fs(), directory);
  } catch (const Error&) {
    return {};
  }
  if (!real) return {};
  const auto it = fs().children.find(*real);
  if (it == fs().children.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::string LazyImageFiles::sha256(const std::string& path) const {
  const image::Node* node = image::resolve_node(fs(), path);
  if (!node || node->type != image::Node::Type::file || node->sha256.empty())
    throw Error(ErrorCategory::input, "The image has no readable file `" + path + "` to measure.");
  return node->sha256;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

NativeMeasurement measure_natively(const GraminizedFiles& image, const std::string& date, const gramine::FileView* files) {
  if (image.libpal.empty())
    throw Error(ErrorCategory::input, "The image has no Gramine SGX PAL (" +
                                          (image.runtime.libpal_path.empty() ? std::string("sgx/libpal.so")
                                                                             : image.runtime.libpal_path) +
                                          "): it cannot run under SGX. Rebuild it with `gsc build`.");
  NativeMeasurement out;
  out.manifest = gramine::make_manifest_sgx(image.manifest, {image.runtime.pkglibdir}, files);
  out.mr_enclave = gramine::measure_enclave(out.manifest.text, image.libpal, out.manifest.attributes).mr_enclave;
  out.sigstruct = sgx::to_bytes(gramine::unsigned_sigstruct(out.mr_enclave, out.manifest.attributes, date));
  return out;
}

}  // namespace gsc::ops
