#pragma once
// Runtimes gsc recognises from the app's entry point (JVM, Node.js, Python, Perl), and the
// manifest settings each needs under Gramine; plus gsc's own defaults for every app. A setting
// is applied only where the user's manifest does not set that key: the user always wins.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <vector>

namespace gsc::manifest {

// One manifest key gsc sets, with its value and the reason, for the progress line.
struct Setting {
  std::string key;      // dotted: "sgx.use_exinfo"
  std::string value;    // TOML text: "true", "\"2M\"", "64"
  std::string why;      // one line
  bool minimum = false; // a size or count: a smaller value of the user's gets a warning
};

struct Runtime {
  std::string name;               // "JVM", "Node.js", "Python", "Perl"; "" when not recognised
  std::vector<Setting> settings;  // what it needs beyond Gramine's defaults
  // Release builds log Gramine's warnings, so that a refused file is named; a runtime that
  // makes Gramine warn all the time (and names refused files itself) logs errors only.
  std::string quiet_log_reason;   // "" keeps the warnings
};

// The runtime behind the entry point: `real_path` is the binary every symlink led to;
// `interpreter` is a script's #! interpreter ("" for a binary), which then decides.
Runtime detect_runtime(const std::string& real_path, const std::string& interpreter);

// Defaults gsc applies to every app (docker stop: sys.enable_sigterm_injection).
std::vector<Setting> app_defaults();

struct Applied {
  std::vector<Setting> applied;       // set by gsc
  std::vector<std::string> warnings;  // the user's value is below what the runtime needs
};

// Sets each setting the manifest lacks; leaves the user's values and warns when one of
// them is below a `minimum` setting (sizes "512M"/"4G" and counts compared as numbers).
Applied apply_settings(toml::table& manifest, const std::vector<Setting>& settings, const std::string& runtime_name);

// "256M" -> 268435456; "4G", "1024K", plain bytes. std::nullopt when malformed.
std::optional<unsigned long long> parse_size(const std::string& text);

}  // namespace gsc::manifest
