// config.yaml: read with yaml-cpp, every key and type checked, errors with line numbers.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "gsc/config.hpp"
#include "gsc/error.hpp"
#include "manifest/distro.hpp"

namespace gsc {
namespace {

constexpr const char* kRegistryChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-";

[[noreturn]] void fail(const std::string& name, const YAML::Mark& mark, const std::string& message) {
  std::string where = name;
  if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1);
  throw Error(ErrorCategory::input, where + ": " + message);
}

std::string scalar(const std::string& name, const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) fail(name, node.Mark(), "`" + key + "` must be a string.");
  return node.Scalar();
}

std::string dotted(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

// Checks that a mapping has only known keys, each once; returns the values by key.
std::map<std::string, YAML::Node> mapping(const std::string& name, const YAML::Node& node, const std::string& where,
                                          const std::vector<std::string>& known) {
  std::map<std::string, YAML::Node> out;
  if (node.IsNull()) return out;
  if (!node.IsMap()) fail(name, node.Mark(), "`" + where + "` must be a mapping of keys to values.");
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "`" : ", `") + dotted(where, k) + "`";
      fail(name, item.first.Mark(), "unknown key `" + dotted(where, key) + "`. Known keys: " + list + ".");
    }
    if (out.count(key)) fail(name, item.first.Mark(), "`" + dotted(where, key) + "` is set twice. Keep one.");
    out[key] = item.second;
  }
  return out;
}

// `Distro` must be `auto` or a name gsc has templates for.
void check_distro(const std::string& name, const YAML::Node& node, const std::string& distro) {
  try {
    manifest::parse_distro(distro);
  } catch (const Error& e) {
    fail(name, node.Mark(), e.what());
  }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string where = name;
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    throw Error(ErrorCategory::input, where + ": malformed YAML: " + e.msg + ".");
  }
  if (!root.IsMap()) fail(name, root.Mark(), "expected a mapping with `Distro` and `Gramine`. See config.yaml.template.");
  auto top = mapping(name, root, "", {"Distro", "Registry", "Gramine", "SGXDriver"});
  Config config;
  if (top.count("Distro")) config.distro = scalar(name, top["Distro"], "Distro");
  if (config.distro.empty()) config.distro = "auto";
  if (config.distro != "auto") check_distro(name, top["Distro"], config.distro);
  if (top.count("Registry")) {
    config.registry = scalar(name, top["Registry"], "Registry");
    if (config.registry.find_first_not_of(kRegistryChars) != std::string::npos)
      fail(name, top["Registry"].Mark(),
           "`Registry` may hold only a registry host[:port] and path (letters, digits, `.`, `_`, `-`, `:`, `/`).");
  }
  if (!top.count("Gramine") || top["Gramine"].IsNull())
    fail(name, root.Mark(), "`Gramine` is missing. Provide `Gramine.Image`, or `Gramine.Repository` and `Gramine.Branch`.");
  auto gramine = mapping(name, top["Gramine"], "Gramine", {"Image", "Repository", "Branch"});
  if (gramine.count("Image")) config.gramine.image = scalar(name, gramine["Image"], "Gramine.Image");
  if (gramine.count("Repository")) config.gramine.repository = scalar(name, gramine["Repository"], "Gramine.Repository");
  if (gramine.count("Branch")) config.gramine.branch = scalar(name, gramine["Branch"], "Gramine.Branch");
  if (config.gramine.image.empty()) {
    if (config.gramine.repository.empty())
      fail(name, top["Gramine"].Mark(), "`Gramine.Repository` is missing. Provide this or `Gramine.Image`.");
    if (config.gramine.branch.empty())
      fail(name, top["Gramine"].Mark(), "`Gramine.Branch` is missing. Provide this or `Gramine.Image`.");
  }
  if (top.count("SGXDriver")) {
    auto driver = mapping(name, top["SGXDriver"], "SGXDriver", {"Repository", "Branch"});
    if (driver.count("Repository")) config.sgx_driver.repository = scalar(name, driver["Repository"], "SGXDriver.Repository");
    if (driver.count("Branch")) config.sgx_driver.branch = scalar(name, driver["Branch"], "SGXDriver.Branch");
  }
  return config;
}

void check_config(const Config& config, const std::string& name) {
  auto fail_here = [&](const std::string& message) { throw Error(ErrorCategory::input, name + ": " + message); };
  if (config.distro != "auto") {
    try {
      manifest::parse_distro(config.distro);
    } catch (const Error& e) {
      fail_here(e.what());
    }
  }
  if (config.registry.find_first_not_of(kRegistryChars) != std::string::npos)
    fail_here("`Registry` may hold only a registry host[:port] and path (letters, digits, `.`, `_`, `-`, `:`, `/`).");
  if (config.gramine.image.empty()) {
    if (config.gramine.repository.empty()) fail_here("`Gramine.Repository` is missing. Provide this or `Gramine.Image`.");
    if (config.gramine.branch.empty()) fail_here("`Gramine.Branch` is missing. Provide this or `Gramine.Image`.");
  }
}

Config default_config() {
  Config config;
  config.gramine.repository = "https://github.com/gramineproject/gramine.git";
  config.gramine.branch = "v1.9";
  return config;
}

Config load_config(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(ErrorCategory::input, "Cannot find the configuration `" + path +
                                          "`. Create it with `cp config.yaml.template config.yaml` or pass `-c FILE`.");
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad())
    throw Error(ErrorCategory::input, "Cannot read the configuration `" + path + "`. Check its permissions.");
  Config config = parse_config(text, path);
  config.base_dir = std::filesystem::path(path).parent_path().string();
  if (config.base_dir.empty()) config.base_dir = ".";
  return config;
}

}  // namespace gsc
