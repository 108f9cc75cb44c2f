// gsc diff-image's comparison: pure, over two parsed manifests and SIGSTRUCT summaries.

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "gsc/diff.hpp"
#include "manifest/manifest.hpp"

namespace gsc {
namespace {

// Every leaf of a table as "dotted.key" -> its TOML text; sgx.trusted_files and
// loader.entrypoint are compared as files instead.
void flatten(const toml::table& table, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [k, v] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (key == "sgx.trusted_files" || key == "loader.argv") continue;  // compared entry by entry
    if (const auto* t = v.as_table(); t && !t->is_inline() && key != "loader.entrypoint" && key != "fs.root") {
      flatten(*t, key, out);
      continue;
    }
    toml::table holder;
    holder.insert("v", v);
    std::string text = manifest::to_toml_string(holder);
    text = text.substr(4);  // drop "v = "
    while (!text.empty() && text.back() == '\n') text.pop_back();
    out[key] = text;
  }
}

std::map<std::string, std::string> trusted_of(const toml::table& table) {
  std::map<std::string, std::string> out;
  if (const auto* files = table["sgx"]["trusted_files"].as_array())
    for (const auto& entry : *files)
      if (const auto* t = entry.as_table()) {
        std::string uri = (*t)["uri"].value_or(std::string());
        if (uri.rfind("file:", 0) == 0) uri = uri.substr(5);
        out[uri] = (*t)["sha256"].value_or(std::string());
      }
  return out;
}

std::vector<std::string> split_argv(const std::string& bytes) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\0') {
      out.push_back(bytes.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

// The trusted argv: the manifest's loader.argv, or an older image's trusted_argv file.
std::vector<std::string> argv_of(const toml::table& manifest, const std::string& trusted_argv) {
  if (const auto* array = manifest["loader"]["argv"].as_array()) {
    std::vector<std::string> out;
    for (const auto& arg : *array) out.push_back(arg.value_or(std::string()));
    return out;
  }
  return split_argv(trusted_argv);
}

void compare_values(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b,
                    ImageDiff& d) {
  std::map<std::string, std::pair<std::string, std::string>> changes;
  for (const auto& [k, v] : a)
    if (!b.count(k) || b.at(k) != v) changes[k] = {v, b.count(k) ? b.at(k) : ""};
  for (const auto& [k, v] : b)
    if (!a.count(k)) changes[k] = {"", v};
  for (const auto& [k, ov] : changes) {
    ValueChange c{k, ov.first, ov.second};
    if (k.rfind("loader.env.", 0) == 0) d.env.push_back(c);
    else if (k == "fs.mounts") d.mounts.push_back(c);
    else if (k.rfind("sgx.", 0) == 0) d.sgx.push_back(c);
    else if (k == "loader.entrypoint") d.runtime.push_back(c);
    else if (k == "loader.argv" || k == "loader.argv_src_file" || k == "loader.insecure__use_cmdline_argv" || k == "libos.entrypoint")
      d.argv.push_back(c);
    else d.other.push_back(c);
  }
}

void compare_sigstructs(const SigstructInfo& a, const SigstructInfo& b, ImageDiff& d) {
  auto add = [&](const char* key, const std::string& x, const std::string& y) {
    if (x != y) d.sigstruct.push_back({key, x, y});
  };
  add("mr_enclave", a.mr_enclave, b.mr_enclave);
  add("mr_signer", a.mr_signer, b.mr_signer);
  add("isv_prod_id", std::to_string(a.isv_prod_id), std::to_string(b.isv_prod_id));
  add("isv_svn", std::to_string(a.isv_svn), std::to_string(b.isv_svn));
  add("date", a.date, b.date);
  add("flags", a.flags, b.flags);
  add("xfrms", a.xfrms, b.xfrms);
  add("misc_select", a.misc_select, b.misc_select);
}

// "<bytes> <path>" lines (trusted_file_sizes) -> path -> bytes; malformed lines are skipped.
std::map<std::string, std::uint64_t> sizes_of(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    try {
      out[line.substr(space + 1)] = std::stoull(line.substr(0, space));
    } catch (const std::exception&) {
    }
  }
  return out;
}

}  // namespace

ImageDiff diff_measured(const MeasuredImage& a, const MeasuredImage& b) {
  ImageDiff d;
  const toml::table ma = manifest::parse_manifest(a.manifest, a.name + ":entrypoint.manifest");
  const toml::table mb = manifest::parse_manifest(b.manifest, b.name + ":entrypoint.manifest");

  const auto ta = trusted_of(ma), tb = trusted_of(mb);
  const auto sa = sizes_of(a.trusted_sizes), sb = sizes_of(b.trusted_sizes);
  auto size = [](const std::map<std::string, std::uint64_t>& sizes, const std::string& path) {
    const auto it = sizes.find(path);
    return it == sizes.end() ? std::nullopt : std::optional(it->second);
  };
  for (const auto& [path, hash] : ta) {
    if (!tb.count(path)) d.files_removed.push_back({path, hash, "", size(sa, path), std::nullopt});
    else if (tb.at(path) != hash) d.files_changed.push_back({path, hash, tb.at(path), size(sa, path), size(sb, path)});
  }
  for (const auto& [path, hash] : tb)
    if (!ta.count(path)) d.files_added.push_back({path, "", hash, std::nullopt, size(sb, path)});

  std::map<std::string, std::string> fa, fb;
  flatten(ma, "", fa);
  flatten(mb, "", fb);
  compare_values(fa, fb, d);

  const auto aa = argv_of(ma, a.trusted_argv), ab = argv_of(mb, b.trusted_argv);
  for (std::size_t i = 0; i < std::max(aa.size(), ab.size()); ++i) {
    const std::string x = i < aa.size() ? aa[i] : "", y = i < ab.size() ? ab[i] : "";
    if (x != y || i >= aa.size() || i >= ab.size()) d.argv.push_back({"argv[" + std::to_string(i) + "]", x, y});
  }
  if (a.gramine_image_id != b.gramine_image_id)
    d.runtime.push_back({"gramine image", a.gramine_image_id, b.gramine_image_id});
  if (a.gramine_version != b.gramine_version) d.runtime.push_back({"gramine version", a.gramine_version, b.gramine_version});
  if (a.sigstruct && b.sigstruct) compare_sigstructs(*a.sigstruct, *b.sigstruct, d);

  auto note = [&](bool differs, const std::string& what) {
    if (differs) d.verdict.push_back(what);
  };
  note(!d.files_added.empty() || !d.files_removed.empty() || !d.files_changed.empty(),
       std::to_string(d.files_added.size()) + " trusted files added, " + std::to_string(d.files_removed.size()) +
           " removed, " + std::to_string(d.files_changed.size()) + " changed");
  note(!d.argv.empty(), "argv");
  note(!d.env.empty(), "loader.env");
  note(!d.mounts.empty(), "mounts");
  note(!d.sgx.empty(), "sgx settings");
  note(!d.runtime.empty(), "the Gramine runtime");
  note(!d.other.empty(), "other manifest keys");
  if (a.sigstruct && b.sigstruct) {
    d.same_measurement = a.sigstruct->mr_enclave == b.sigstruct->mr_enclave;
    bool other_fields = false;
    for (const auto& c : d.sigstruct) other_fields |= c.key != "mr_enclave";
    note(other_fields, "SIGSTRUCT fields");
  } else {
    d.same_measurement = a.manifest == b.manifest && a.gramine_image_id == b.gramine_image_id;
  }
  return d;
}

namespace {

std::string short_hash(const std::string& h) { return h.empty() ? "-" : h.substr(0, 12); }

std::string size_text(const std::optional<std::uint64_t>& size) { return size ? std::to_string(*size) : "-"; }

}  // namespace

std::string format_diff_text(const ImageDiff& d, const MeasuredImage& a, const MeasuredImage& b, std::size_t limit) {
  std::ostringstream out;
  const bool signed_both = a.sigstruct && b.sigstruct;
  if (d.same_measurement && d.verdict.empty()) {
    out << "identical measurement" << (signed_both ? " (MRENCLAVE " + short_hash(a.sigstruct->mr_enclave) + ")" : "")
        << ": " << a.name << " and " << b.name << " measure the same inputs\n";
    return out.str();
  }
  std::string parts;
  for (const auto& p : d.verdict) parts += (parts.empty() ? "" : "; ") + p;
  if (d.same_measurement) out << "same measurement, but differ in: " << parts << "\n";
  else out << (signed_both ? "MRENCLAVE changed" : "measurement inputs differ") << ": " << (parts.empty() ? "(unknown)" : parts) << "\n";

  auto files = [&](const char* title, const std::vector<FileChange>& list) {
    if (list.empty()) return;
    out << "\n" << title << " (" << list.size() << "):\n";
    for (std::size_t i = 0; i < list.size() && (limit == 0 || i < limit); ++i)
      out << "  " << list[i].path << "  " << size_text(list[i].old_size) << " -> " << size_text(list[i].new_size)
          << " bytes  " << short_hash(list[i].old_sha256) << " -> " << short_hash(list[i].new_sha256) << "\n";
    if (limit && list.size() > limit) out << "  ... " << list.size() - limit << " more (--all lists them)\n";
  };
  auto values = [&](const char* title, const std::vector<ValueChange>& list) {
    if (list.empty()) return;
    out << "\n" << title << ":\n";
    for (std::size_t i = 0; i < list.size() && (limit == 0 || i < limit); ++i)
      out << "  " << list[i].key << ": " << (list[i].old_value.empty() ? "(unset)" : list[i].old_value) << " -> "
          << (list[i].new_value.empty() ? "(unset)" : list[i].new_value) << "\n";
    if (limit && list.size() > limit) out << "  ... " << list.size() - limit << " more (--all lists them)\n";
  };
  files("trusted files added", d.files_added);
  files("trusted files removed", d.files_removed);
  files("trusted files changed", d.files_changed);
  values("argv", d.argv);
  values("loader.env", d.env);
  values("mounts", d.mounts);
  values("sgx settings", d.sgx);
  values("Gramine runtime", d.runtime);
  values("other manifest keys", d.other);
  values("SIGSTRUCT", d.sigstruct);
  return out.str();
}

std::string format_diff_json(const ImageDiff& d, const MeasuredImage& a, const MeasuredImage& b) {
  auto files = [](const std::vector<FileChange>& list) {
    nlohmann::json out = nlohmann::json::array();
    auto size = [](const std::optional<std::uint64_t>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); };
    for (const auto& f : list)
      out.push_back({{"path", f.path}, {"old_sha256", f.old_sha256}, {"new_sha256", f.new_sha256},
                     {"old_size", size(f.old_size)}, {"new_size", size(f.new_size)}});
    return out;
  };
  auto values = [](const std::vector<ValueChange>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : list) out.push_back({{"key", v.key}, {"old", v.old_value}, {"new", v.new_value}});
    return out;
  };
  nlohmann::json j = {{"a", a.name},
                      {"b", b.name},
                      {"same_measurement", d.same_measurement},
                      {"verdict", d.verdict},
                      {"trusted_files", {{"added", files(d.files_added)}, {"removed", files(d.files_removed)},
                                         {"changed", files(d.files_changed)}}},
                      {"argv", values(d.argv)},
                      {"loader_env", values(d.env)},
                      {"mounts", values(d.mounts)},
                      {"sgx", values(d.sgx)},
                      {"runtime", values(d.runtime)},
                      {"other", values(d.other)},
                      {"sigstruct", values(d.sigstruct)}};
  if (a.sigstruct) j["a_mr_enclave"] = a.sigstruct->mr_enclave;
  if (b.sigstruct) j["b_mr_enclave"] = b.sigstruct->mr_enclave;
  return j.dump(2) + "\n";
}

}  // namespace gsc
