// Runtimes recognised from the entry point and the settings they need under Gramine.
//
// Why each value (Gramine v1.9 defaults: 4 threads, 256M enclave, 256K stacks):
// - JVM: it turns memory faults into exceptions itself (sgx.use_exinfo); Gramine's checks of
//   syscall pointers only slow it down (libos.check_invalid_pointers, as Gramine's and the
//   original GSC's Java examples do); Java threads expect 1M+ stacks; a JVM started 19 threads
//   on 2 cores here (GC and JIT threads grow with the cores) and reserves heap, metaspace and
//   code cache up front.
// - Node.js: 7 threads at start (libuv's pool, V8's platform workers); V8 reserves large address
//   ranges and assumes a ~1M main stack.
// - Python: numpy's OpenBLAS starts a thread per core; Gramine's Python example uses 2M stacks.
// - Perl: Gramine's defaults suit it.

#include "manifest/runtime.hpp"

#include <cctype>
#include <regex>

#include "manifest/manifest.hpp"

namespace gsc::manifest {
namespace {

std::string basename_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= key.size()) {
    std::size_t j = key.find('.', i);
    if (j == std::string::npos) j = key.size();
    parts.push_back(key.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// The node at a dotted key, or nullptr.
const toml::node* node_at(const toml::table& table, const std::string& key) {
  const toml::table* current = &table;
  const auto parts = split_key(key);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const toml::node* node = current->get(parts[i]);
    if (!node || i + 1 == parts.size()) return node;
    current = node->as_table();
    if (!current) return nullptr;
  }
  return nullptr;
}

// Sets a dotted key (creating tables on the way) to the value written as TOML text. False when
// the user's manifest has a value that is no table on the way: theirs stays.
bool set_at(toml::table& table, const std::string& key, const std::string& value_text) {
  const toml::table parsed = parse_manifest("v = " + value_text, "gsc setting " + key);
  toml::table* current = &table;
  const auto parts = split_key(key);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!current->contains(parts[i])) current->insert(parts[i], toml::table{});
    current = (*current)[parts[i]].as_table();
    if (!current) return false;
  }
  current->insert_or_assign(parts.back(), *parsed.get("v"));
  return true;
}

// A number to compare: sizes ("2M") as bytes, integers as they are.
std::optional<unsigned long long> magnitude(const toml::node& node) {
  if (const auto* i = node.as_integer()) return i->get() < 0 ? 0ULL : static_cast<unsigned long long>(i->get());
  if (const auto* s = node.as_string()) return parse_size(s->get());
  return std::nullopt;
}

std::string text_of(const toml::node& node) {
  toml::table holder;
  holder.insert("v", node);
  std::string text = to_toml_string(holder).substr(4);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Setting threads(int n, const std::string& why) { return {"sgx.max_threads", std::to_string(n), why, true}; }
Setting enclave(const std::string& size, const std::string& why) {
  return {"sgx.enclave_size", "\"" + size + "\"", why, true};
}
Setting stack(const std::string& size, const std::string& why) {
  return {"sys.stack.size", "\"" + size + "\"", why, true};
}

}  // namespace

std::optional<unsigned long long> parse_size(const std::string& text) {
  static const std::regex size(R"(\s*([0-9]+)\s*([KMGkmg]?)\s*)");
  std::smatch m;
  if (!std::regex_match(text, m, size)) return std::nullopt;
  unsigned long long value = 0;
  try {
    value = std::stoull(m[1]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const char unit = m[2].length() ? static_cast<char>(std::toupper(static_cast<unsigned char>(m[2].str()[0]))) : 0;
  const int shift = unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : 0;
  if (shift && value > (~0ULL >> shift)) return std::nullopt;
  return value << shift;
}

Runtime detect_runtime(const std::string& real_path, const std::string& interpreter) {
  const std::string name = basename_of(interpreter.empty() ? real_path : interpreter);
  static const std::regex python(R"(python[0-9.]*(-dbg)?)"), perl(R"(perl[0-9.]*)"), node(R"(node(js)?)");
  Runtime r;
  if (name == "java") {
    r.name = "JVM";
    r.settings = {
        {"sgx.use_exinfo", "true", "the JVM turns memory faults into exceptions itself", false},
        {"libos.check_invalid_pointers", "false", "Gramine's checks of syscall pointers only slow the JVM down", false},
        stack("2M", "Java threads expect stacks of 1M or more"),
        threads(64, "a JVM starts ~20 threads (GC and JIT threads grow with the cores)"),
        enclave("4G", "the JVM reserves heap, metaspace and code cache up front"),
    };
    r.quiet_log_reason = "a JVM makes Gramine warn ~15 times a second (getrusage, timed futexes); a refused file "
                         "shows in its own exception";
  } else if (std::regex_match(name, node)) {
    r.name = "Node.js";
    r.settings = {
        stack("2M", "V8 assumes a main stack of about 1M"),
        threads(32, "Node.js starts 7 threads (libuv's pool, V8's workers), more with worker threads"),
        enclave("2G", "V8 reserves large address ranges for its heap"),
    };
    r.quiet_log_reason = "Node.js makes Gramine warn on every request (timed futexes); a refused file shows in its "
                         "own EACCES error";
  } else if (std::regex_match(name, python)) {
    r.name = "Python";
    r.settings = {
        stack("2M", "deep Python calls need more than Gramine's 256K stacks"),
        threads(32, "numpy's OpenBLAS starts a thread per core"),
        enclave("1G", "an interpreter with numpy-sized libraries outgrows 256M"),
        {"loader.env.PYTHONDONTWRITEBYTECODE", "\"1\"",
         "Python would write .pyc caches next to its trusted modules, which Gramine refuses", false},
    };
  } else if (std::regex_match(name, perl)) {
    r.name = "Perl";
  }
  return r;
}

std::vector<Setting> app_defaults() {
  return {{"sys.enable_sigterm_injection", "true",
           "`docker stop` ends the app with SIGTERM instead of a kill after 10 s; the host may send it at any time",
           false}};
}

Applied apply_settings(toml::table& manifest, const std::vector<Setting>& settings, const std::string& runtime_name) {
  Applied out;
  // With EDMM the enclave grows on demand and Gramine's default size is 1024G: a runtime's
  // minimum would only shrink it.
  const toml::node* edmm = node_at(manifest, "sgx.edmm_enable");
  const bool edmm_on = edmm && edmm->value_or(false);
  for (const auto& s : settings) {
    if (edmm_on && s.key == "sgx.enclave_size") continue;
    const toml::node* mine = node_at(manifest, s.key);
    if (!mine) {
      if (set_at(manifest, s.key, s.value)) out.applied.push_back(s);
      else
        out.warnings.push_back("gsc would set `" + s.key + " = " + s.value + "` (" + s.why +
                               "), but your manifest has a value that is no table on the way to it.");
      continue;
    }
    if (!s.minimum) continue;
    const toml::table wanted = parse_manifest("v = " + s.value, "gsc setting " + s.key);
    const auto have = magnitude(*mine), need = magnitude(*wanted.get("v"));
    if (have && need && *have < *need)
      out.warnings.push_back("`" + s.key + " = " + text_of(*mine) + "` (your manifest) is below the " + s.value +
                             " gsc sets for " + (runtime_name.empty() ? "this app" : runtime_name + " apps") + " (" +
                             s.why + "). Raise it if the app fails under SGX.");
  }
  return out;
}

}  // namespace gsc::manifest
