#include "docker/fields.hpp"

#include "gsc/error.hpp"

namespace gsc::docker::fields {
namespace {

const nlohmann::json* find(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string name_of(const std::string& prefix, const char* key) { return prefix.empty() ? key : prefix + "." + key; }

}  // namespace

void wrong_type(const std::string& what, const std::string& field, const nlohmann::json& value, const char* expected) {
  throw Error(ErrorCategory::daemon_api, "The Docker daemon's answer to `" + what + "` has `" + field + "` as " +
                                             (value.is_number() ? "a number" : value.is_string() ? "a string"
                                              : value.is_boolean() ? "a boolean" : value.is_array() ? "an array"
                                                                                                   : "an object") +
                                             ", not " + expected + ". Check that DOCKER_HOST names a Docker daemon.");
}

std::string text(const nlohmann::json& object, const char* key, const std::string& what, const std::string& prefix) {
  const auto* v = find(object, key);
  if (!v) return "";
  if (!v->is_string()) wrong_type(what, name_of(prefix, key), *v, "a string");
  return v->get<std::string>();
}

std::int64_t integer(const nlohmann::json& object, const char* key, const std::string& what, std::int64_t fallback,
                     const std::string& prefix) {
  const auto* v = find(object, key);
  if (!v) return fallback;
  if (!v->is_number_integer()) wrong_type(what, name_of(prefix, key), *v, "an integer");
  return v->is_number_unsigned() ? static_cast<std::int64_t>(v->get<std::uint64_t>()) : v->get<std::int64_t>();
}

std::optional<std::vector<std::string>> text_list(const nlohmann::json& object, const char* key, const std::string& what,
                                                  const std::string& prefix) {
  const auto* v = find(object, key);
  if (!v) return std::nullopt;
  if (!v->is_array()) wrong_type(what, name_of(prefix, key), *v, "an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) wrong_type(what, name_of(prefix, key) + "[]", item, "a string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> text_map(const nlohmann::json& object, const char* key, const std::string& what,
                                            const std::string& prefix) {
  const auto* v = find(object, key);
  if (!v) return {};
  if (!v->is_object()) wrong_type(what, name_of(prefix, key), *v, "an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) wrong_type(what, name_of(prefix, key) + "." + k, item, "a string");
    out[k] = item.get<std::string>();
  }
  return out;
}

const nlohmann::json* object(const nlohmann::json& j, const char* key, const std::string& what, const std::string& prefix) {
  const auto* v = find(j, key);
  if (v && !v->is_object()) wrong_type(what, name_of(prefix, key), *v, "an object");
  return v;
}

const nlohmann::json* array(const nlohmann::json& j, const char* key, const std::string& what, const std::string& prefix) {
  const auto* v = find(j, key);
  if (v && !v->is_array()) wrong_type(what, name_of(prefix, key), *v, "an array");
  return v;
}

}  // namespace gsc::docker::fields
