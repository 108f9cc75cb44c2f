// manifest.sgx as Gramine v1.9 makes it (python/graminelibos/manifest.py: Manifest(),
// expand_all_trusted_files(), dump()): same defaults, same expansion, same bytes.

#include "gramine/manifest_sgx.hpp"

#include <algorithm>
#include <map>

#include "gsc/error.hpp"

namespace gsc::gramine {
namespace {

// Gramine v1.9's defaults (manifest.py) and attribute bits (_graminelibos_offsets.py).
constexpr const char* kEnclaveSizeNoEdmm = "256M";
constexpr const char* kEnclaveSizeEdmm = "1024G";
constexpr std::int64_t kDefaultThreads = 4;
constexpr std::uint64_t kFlagsDebug = 0x2;
constexpr std::uint64_t kFlagsMode64Bit = 0x4;
constexpr std::uint64_t kXfrmLegacy = 0x3;
constexpr std::uint64_t kXfrmMaskConst = 0xfffffffffff9ff1bULL;
constexpr std::uint32_t kMiscExinfo = 0x1;

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCategory::input, "The manifest " + what);
}

std::string describe(const Value& v) {
  switch (v.kind) {
    case Value::Kind::string: return "a string";
    case Value::Kind::integer: return "an integer";
    case Value::Kind::floating: return "a float";
    case Value::Kind::boolean: return "a boolean";
    case Value::Kind::array: return "an array";
    case Value::Kind::table: return "a table";
    default: return "a date or time";
  }
}

Value string_value(const char* s) { return Value::make_string(s); }

}  // namespace

// Manifest.__init__: the defaults, in Gramine's order (they end up in that order in manifest.sgx).
void apply_defaults(Value& root) {
  Value& sgx = root.set_default("sgx", Value::make_table());
  if (!sgx.is_table()) bad("has `sgx` as " + describe(sgx) + ": it must be a table.");
  sgx.set_default("trusted_files", Value::make_array());
  sgx.set_default("max_threads", Value::make_integer(kDefaultThreads));
  sgx.set_default("isvprodid", Value::make_integer(0));
  sgx.set_default("isvsvn", Value::make_integer(0));
  sgx.set_default("remote_attestation", string_value("none"));
  sgx.set_default("debug", Value::make_boolean(false));
  sgx.set_default("enable_stats", Value::make_boolean(false));
  const Value& edmm = sgx.set_default("edmm_enable", Value::make_boolean(false));
  const bool edmm_on = edmm.kind == Value::Kind::boolean ? edmm.boolean : edmm.kind != Value::Kind::boolean;
  sgx.set_default("enclave_size", string_value(edmm_on ? kEnclaveSizeEdmm : kEnclaveSizeNoEdmm));
  sgx.set_default("use_exinfo", Value::make_boolean(false));
  Value& cpu = sgx.set_default("cpu_features", Value::make_table());
  if (!cpu.is_table()) bad("has `sgx.cpu_features` as " + describe(cpu) + ": it must be a table.");
  cpu.set_default("avx", string_value("unspecified"));
  cpu.set_default("avx512", string_value("unspecified"));
  cpu.set_default("amx", string_value("unspecified"));
  cpu.set_default("mpx", string_value("disabled"));
  cpu.set_default("pkru", string_value("disabled"));
}

namespace {

std::string uri_path(const std::string& uri) {
  if (uri.rfind("file:", 0) != 0) bad("lists the trusted file `" + uri + "`: only `file:` URIs are supported.");
  const std::string path = uri.substr(5);
  if (path.empty() || path.front() != '/')
    bad("lists the trusted file `" + uri + "`: gsc measures absolute paths only (`file:/...`).");
  return path;
}

// pathlib's normalisation of an absolute path: repeated '/' and '.' components dropped.
std::string normalise(const std::string& path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    const std::string part = path.substr(i, j - i);
    if (!part.empty() && part != ".") out += "/" + part;
    i = j + 1;
  }
  return out.empty() ? "/" : out;
}

std::string join(const std::string& dir, const std::string& name) { return (dir == "/" ? "" : dir) + "/" + name; }

struct TrustedFile {
  std::string uri;
  std::string sha256;  // "" = not measured yet
  std::string path;    // the file to read (normalised uri path)
};

const FileView& need_files(const FileView* files, const std::string& why) {
  if (!files)
    throw Error(ErrorCategory::input, "The manifest " + why + ", which needs the image's files: rebuild the image "
                                      "with `gsc build` (it hashes every trusted file).");
  return *files;
}

// TrustedFile.expand_directory(): a file yields itself; `file:/dir/` every readable file below
// it, in sorted order, without descending into symlinked directories.
void expand(const TrustedFile& tf, const FileView* files, std::vector<TrustedFile>& out, int depth) {
  if (depth > 256) bad("lists `" + tf.uri + "`, whose directory tree is too deep.");
  if (!tf.uri.empty() && tf.uri.back() == '/') {
    const FileView& view = need_files(files, "lists the directory `" + tf.uri + "` as trusted");
    if (view.kind(tf.path) != FileView::Kind::directory)
      bad("lists `" + tf.uri + "` as a trusted directory, but the image has no directory there.");
    if (!tf.sha256.empty()) bad("lists the directory `" + tf.uri + "` with a sha256: directories have none.");
    std::vector<std::string> names = view.list(tf.path);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const std::string child = join(tf.path, name);
      const auto kind = view.kind(child);
      if (kind != FileView::Kind::file && kind != FileView::Kind::directory) continue;
      const bool dir = kind == FileView::Kind::directory;
      if (dir && view.is_symlink(child)) continue;
      expand({"file:" + child + (dir ? "/" : ""), "", child}, files, out, depth + 1);
    }
    return;
  }
  if (files && files->at_hand() && files->kind(tf.path) == FileView::Kind::directory)
    bad("lists `" + tf.uri + "` as a trusted file, but it is a directory: write `" + tf.uri + "/`.");
  out.push_back(tf);
}

// Manifest.expand_all_trusted_files(): every entry expanded, deduplicated by URI (a measured
// entry wins; two different hashes for one URI are an error), then each measured.
std::size_t expand_trusted_files(Value& sgx, const FileView* files, std::vector<std::string>& hashed) {
  Value& list = *sgx.find("trusted_files");
  if (!list.is_array())
    bad("has `sgx.trusted_files` as " + describe(list) + ": it must be an array of URIs or `{ uri, sha256 }` tables.");
  std::vector<TrustedFile> ordered;
  std::map<std::string, std::size_t> index;  // uri -> position in `ordered`
  for (const Value& entry : list.items) {
    TrustedFile tf;
    if (entry.is_string()) {
      tf.uri = entry.text;
    } else if (entry.is_table() && entry.find("uri")) {
      const Value& uri = *entry.find("uri");
      if (!uri.is_string()) bad("has a trusted file whose `uri` is " + describe(uri) + ": it must be a string.");
      tf.uri = uri.text;
      for (const auto& key : entry.keys)
        if (key != "uri" && key != "sha256") bad("has the unknown key `" + key + "` in the trusted file `" + tf.uri + "`.");
      if (const Value* sha = entry.find("sha256")) {
        if (!sha->is_string()) bad("has a `sha256` of `" + tf.uri + "` that is " + describe(*sha) + ": it must be a string.");
        tf.sha256 = sha->text;
      }
    } else {
      bad("has a trusted file that is " + describe(entry) + ": write a URI string or `{ uri = \"file:...\", sha256 = \"...\" }`.");
    }
    tf.path = normalise(uri_path(tf.uri));
    std::vector<TrustedFile> expanded;
    expand(tf, files, expanded, 0);
    for (auto& x : expanded) {
      const auto it = index.find(x.uri);
      if (it == index.end()) {
        index.emplace(x.uri, ordered.size());
        ordered.push_back(std::move(x));
        continue;
      }
      TrustedFile& old = ordered[it->second];
      if (!old.sha256.empty()) {
        if (!x.sha256.empty() && x.sha256 != old.sha256)
          bad("lists `" + x.uri + "` twice, with two different sha256 values (" + old.sha256 + " and " + x.sha256 + ").");
        continue;
      }
      old = std::move(x);  // Python replaces the dict value in place: the first position stays
    }
  }
  Value out = Value::make_array();
  out.items.reserve(ordered.size());
  for (auto& tf : ordered) {
    if (tf.sha256.empty()) {
      const FileView& view = need_files(files, "lists `" + tf.uri + "` without a sha256");
      if (view.kind(tf.path) != FileView::Kind::file)
        bad("lists the trusted file `" + tf.uri + "`, which the image does not have.");
      tf.sha256 = view.sha256(tf.path);
      hashed.push_back(tf.path);
    }
    Value item = Value::make_table();
    item.set("uri", Value::make_string(tf.uri));
    item.set("sha256", Value::make_string(tf.sha256));
    out.items.push_back(std::move(item));
  }
  list = std::move(out);
  return ordered.size();
}

// loader.entrypoint: a table; uri defaults to libsysdb.so, sha256 to that file's hash.
void complete_loader_entrypoint(Value& root, const Installation& gramine, const FileView* files,
                                std::vector<std::string>& hashed) {
  Value& loader = root.set_default("loader", Value::make_table());
  if (!loader.is_table()) bad("has `loader` as " + describe(loader) + ": it must be a table.");
  Value& entrypoint = loader.set_default("entrypoint", Value::make_table());
  if (!entrypoint.is_table())
    bad("has `loader.entrypoint` as " + describe(entrypoint) + ": it must be a table `{ uri = ..., sha256 = ... }`.");
  entrypoint.set_default("uri", Value::make_string("file:" + gramine.pkglibdir + "/libsysdb.so"));
  if (!entrypoint.find("sha256")) {
    const Value& uri = *entrypoint.find("uri");
    if (!uri.is_string()) bad("has `loader.entrypoint.uri` as " + describe(uri) + ": it must be a string.");
    const std::string path = normalise(uri_path(uri.text));
    const FileView& view = need_files(files, "has no `loader.entrypoint.sha256`");
    if (view.kind(path) != FileView::Kind::file) bad("names `" + uri.text + "` as loader.entrypoint, which the image does not have.");
    entrypoint.set("sha256", Value::make_string(view.sha256(path)));
    hashed.push_back(path);
  }
}

const Value& sgx_key(const Value& sgx, const char* key) {
  const Value* v = sgx.find(key);
  if (!v) bad(std::string("has no `sgx.") + key + "`.");
  return *v;
}

bool is_true(const Value* v) { return v && v->kind == Value::Kind::boolean && v->boolean; }

std::uint64_t integer_in(const Value& v, const char* key, std::uint64_t max) {
  if (v.kind != Value::Kind::integer || v.integer < 0 || static_cast<std::uint64_t>(v.integer) > max)
    bad(std::string("has `sgx.") + key + "` = " + (v.kind == Value::Kind::integer ? std::to_string(v.integer) : describe(v)) +
        ": it must be an integer from 0 to " + std::to_string(max) + ".");
  return static_cast<std::uint64_t>(v.integer);
}

// collect_cpu_feature_bits(): "required" sets the bits, "disabled" clears them (both fix them
// in the mask); "unspecified" leaves them to the platform, except for the security features.
void cpu_feature(const Value& features, const char* name, std::uint64_t bits, bool hardening, std::uint64_t& xfrm,
                 std::uint64_t& mask) {
  const Value* v = features.find(name);
  if (!v) return;
  const std::string value = v->is_string() ? v->text : "";
  if (value == "required") {
    xfrm |= bits;
    mask |= bits;
  } else if (value == "disabled") {
    xfrm &= ~bits;
    mask |= bits;
  } else if (hardening || value != "unspecified") {
    bad(std::string("has `sgx.cpu_features.") + name + "` = " + (v->is_string() ? "\"" + value + "\"" : describe(*v)) +
        ": it must be " + (hardening ? "\"required\" or \"disabled\"." : "\"required\", \"disabled\" or \"unspecified\"."));
  }
}

}  // namespace

std::uint64_t parse_size(const std::string& value, const std::string& key) {
  auto fail = [&] {
    bad("has `" + key + "` = \"" + value + "\": write a size like \"256M\", \"4G\" or \"0x10000000\".");
  };
  std::string s = value;
  std::uint64_t scale = 1;
  if (!s.empty() && (s.back() == 'K' || s.back() == 'M' || s.back() == 'G')) {
    scale = s.back() == 'K' ? 1ULL << 10 : s.back() == 'M' ? 1ULL << 20 : 1ULL << 30;
    s.pop_back();
  }
  // int(s, 0): surrounding whitespace, an optional '+', a 0x/0o/0b prefix, '_' between digits,
  // no leading zeros in decimal.
  const auto first = s.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string::npos) fail();
  s = s.substr(first, s.find_last_not_of(" \t\n\r\f\v") - first + 1);
  if (s.front() == '+') s.erase(0, 1);
  unsigned base = 10;
  if (s.size() > 1 && s[0] == '0' && std::string("xXoObB").find(s[1]) != std::string::npos) {
    base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    s.erase(0, 2);
    if (!s.empty() && s.front() == '_') s.erase(0, 1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_' || s.find("__") != std::string::npos) fail();
  std::uint64_t n = 0;
  bool nonzero_seen = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') continue;
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else fail();
    if (d >= base) fail();
    if (base == 10 && d == 0 && !nonzero_seen && i + 1 < s.size() && s.find_first_not_of("0_") != std::string::npos) fail();
    if (d) nonzero_seen = true;
    if (n > (UINT64_MAX - d) / base) fail();
    n = n * base + d;
  }
  if (n > UINT64_MAX / scale) fail();
  return n * scale;
}

EnclaveAttributes enclave_attributes(const Value& manifest) {
  const Value* sgx = manifest.find("sgx");
  if (!sgx || !sgx->is_table()) bad("has no `sgx` table.");
  EnclaveAttributes a;
  const Value& size = sgx_key(*sgx, "enclave_size");
  if (!size.is_string()) bad("has `sgx.enclave_size` as " + describe(size) + ": write a string like \"512M\".");
  a.enclave_size = parse_size(size.text, "sgx.enclave_size");
  a.max_threads = integer_in(sgx_key(*sgx, "max_threads"), "max_threads", 1u << 20);
  if (a.max_threads == 0) bad("has `sgx.max_threads` = 0: an enclave needs at least one thread.");
  const Value* edmm = sgx->find("edmm_enable");
  if (edmm && edmm->kind != Value::Kind::boolean) bad("has `sgx.edmm_enable` as " + describe(*edmm) + ": write true or false.");
  a.edmm = is_true(edmm);
  a.isv_prod_id = static_cast<std::uint16_t>(integer_in(sgx_key(*sgx, "isvprodid"), "isvprodid", 0xffff));
  a.isv_svn = static_cast<std::uint16_t>(integer_in(sgx_key(*sgx, "isvsvn"), "isvsvn", 0xffff));
  a.flags = kFlagsMode64Bit | (is_true(sgx->find("debug")) ? kFlagsDebug : 0);
  a.misc_select = is_true(sgx->find("use_exinfo")) ? kMiscExinfo : 0;
  a.xfrm = kXfrmLegacy;
  a.xfrm_mask = kXfrmMaskConst;
  if (const Value* features = sgx->find("cpu_features")) {
    if (!features->is_table()) bad("has `sgx.cpu_features` as " + describe(*features) + ": it must be a table.");
    cpu_feature(*features, "avx", 0x4, false, a.xfrm, a.xfrm_mask);
    cpu_feature(*features, "avx512", 0xe4, false, a.xfrm, a.xfrm_mask);
    cpu_feature(*features, "amx", 0x60000, false, a.xfrm, a.xfrm_mask);
    cpu_feature(*features, "mpx", 0x18, true, a.xfrm, a.xfrm_mask);
    cpu_feature(*features, "pkru", 0x200, true, a.xfrm, a.xfrm_mask);
  }
  return a;
}

SgxManifest make_manifest_sgx(const std::string& manifest_text, const Installation& gramine, const FileView* files) {
  Value root = parse_document(manifest_text, "entrypoint.manifest");
  SgxManifest out;
  apply_defaults(root);
  complete_loader_entrypoint(root, gramine, files, out.hashed);
  out.trusted_files = expand_trusted_files(*root.find("sgx"), files, out.hashed);
  out.attributes = enclave_attributes(root);
  out.text = dump_document(root);
  return out;
}

}  // namespace gsc::gramine
