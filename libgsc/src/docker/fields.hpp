#pragma once
// Typed reads of the daemon's JSON answers. A field that is absent or null gives the default;
// a field of another type than the API documents is a daemon_api error naming the answer and
// the field, never nlohmann's type_error (an internal error to the user).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gsc::docker::fields {

// Throws the daemon_api error: "The Docker daemon's answer to `what` has `field` as a
// number, not a string. ..."
[[noreturn]] void wrong_type(const std::string& what, const std::string& field, const nlohmann::json& value,
                             const char* expected);

std::string text(const nlohmann::json& object, const char* key, const std::string& what, const std::string& prefix = "");
std::int64_t integer(const nlohmann::json& object, const char* key, const std::string& what, std::int64_t fallback = 0,
                     const std::string& prefix = "");
// nullopt when absent or null.
std::optional<std::vector<std::string>> text_list(const nlohmann::json& object, const char* key, const std::string& what,
                                                  const std::string& prefix = "");
std::map<std::string, std::string> text_map(const nlohmann::json& object, const char* key, const std::string& what,
                                            const std::string& prefix = "");
// The object at key, nullptr when absent or null.
const nlohmann::json* object(const nlohmann::json& object, const char* key, const std::string& what,
                             const std::string& prefix = "");
// The array at key, nullptr when absent or null.
const nlohmann::json* array(const nlohmann::json& object, const char* key, const std::string& what,
                            const std::string& prefix = "");

}  // namespace gsc::docker::fields
