// Reading manifests: toml++ parse errors become one-line input errors with file:line:col.

#include <filesystem>
#include <fstream>
#include <iterator>

#include "gsc/error.hpp"
#include "manifest/manifest.hpp"

namespace gsc::manifest {

toml::table parse_manifest(const std::string& text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw Error(ErrorCategory::input, name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                          ": malformed manifest: " + std::string(e.description()) + ".");
  }
}

toml::table load_user_manifest(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    throw Error(ErrorCategory::input, "Cannot find the manifest `" + path + "`. Check the path.");
  if (std::filesystem::is_directory(status))
    throw Error(ErrorCategory::input, "The manifest `" + path + "` is a directory. Name the manifest file.");
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad())
    throw Error(ErrorCategory::input, "Cannot read the manifest `" + path + "`. Check its permissions.");
  return parse_manifest(text, path);
}

}  // namespace gsc::manifest
