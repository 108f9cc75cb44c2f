// The ordered TOML document (parse: toml++ plus the keys' positions; dump: tomli_w 1.0's layout).

#include "gramine/document.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "gsc/error.hpp"

namespace gsc::gramine {

Value Value::make_string(std::string s) {
  Value v;
  v.kind = Kind::string;
  v.text = std::move(s);
  return v;
}

Value Value::make_integer(std::int64_t i) {
  Value v;
  v.kind = Kind::integer;
  v.integer = i;
  return v;
}

Value Value::make_boolean(bool b) {
  Value v;
  v.kind = Kind::boolean;
  v.boolean = b;
  return v;
}

Value Value::make_table() { return Value{}; }

Value Value::make_array() {
  Value v;
  v.kind = Kind::array;
  return v;
}

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::table) return nullptr;
  const auto it = std::find(keys.begin(), keys.end(), key);
  return it == keys.end() ? nullptr : &values[static_cast<std::size_t>(it - keys.begin())];
}

Value* Value::find(const std::string& key) { return const_cast<Value*>(std::as_const(*this).find(key)); }

Value& Value::set_default(const std::string& key, Value fallback) {
  if (Value* existing = find(key)) return *existing;
  keys.push_back(key);
  values.push_back(std::move(fallback));
  return values.back();
}

void Value::set(const std::string& key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  keys.push_back(key);
  values.push_back(std::move(value));
}

namespace {

// --- reading

std::string two(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

std::string date_text(const toml::date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int{d.year}, int{d.month}, int{d.day});
  return buf;
}

// Python's str(datetime.time): microseconds (tomli truncates to them) only when non-zero.
std::string time_text(const toml::time& t) {
  std::string out = two(t.hour) + ":" + two(t.minute) + ":" + two(t.second);
  if (const unsigned micro = t.nanosecond / 1000; micro != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06u", micro);
    out += buf;
  }
  return out;
}

std::string offset_text(const toml::time_offset& o) {
  const int minutes = o.minutes;
  const int magnitude = minutes < 0 ? -minutes : minutes;
  return std::string(minutes < 0 ? "-" : "+") + two(magnitude / 60) + ":" + two(magnitude % 60);
}

Value convert(const toml::node& node);

Value convert_table(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
  // tomli inserts a key where it is first mentioned: toml++ keeps that position on the key.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  Value out = Value::make_table();
  for (const auto& [key, node] : entries) {
    out.keys.emplace_back(key->str());
    out.values.push_back(convert(*node));
  }
  return out;
}

Value convert(const toml::node& node) {
  Value v;
  if (const auto* t = node.as_table()) return convert_table(*t);
  if (const auto* a = node.as_array()) {
    v.kind = Value::Kind::array;
    for (const auto& item : *a) v.items.push_back(convert(item));
  } else if (const auto* s = node.as_string()) {
    v = Value::make_string(s->get());
  } else if (const auto* i = node.as_integer()) {
    v = Value::make_integer(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    v.kind = Value::Kind::floating;
    v.floating = f->get();
  } else if (const auto* b = node.as_boolean()) {
    v = Value::make_boolean(b->get());
  } else if (const auto* d = node.as_date()) {
    v.kind = Value::Kind::date;
    v.text = date_text(d->get());
  } else if (const auto* t = node.as_time()) {
    v.kind = Value::Kind::time;
    v.text = time_text(t->get());
  } else if (const auto* dt = node.as_date_time()) {
    const toml::date_time& x = dt->get();
    v.kind = Value::Kind::date_time;
    v.text = date_text(x.date) + " " + time_text(x.time) + (x.offset ? offset_text(*x.offset) : "");
  }
  return v;
}

// --- writing (tomli_w 1.0)

constexpr std::size_t kMaxLineLength = 100;
const std::string kIndent = "    ";

std::string format_literal(const Value& v, int nest_level);

// Basic string; `"`, `\` and control characters but tab escaped (\uXXXX in lowercase hex).
std::string format_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\b': out += "\\b"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string format_key_part(const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  return bare ? key : format_string(key);
}

std::string format_inline_table(const Value& table) {
  if (table.keys.empty()) return "{}";
  std::string out = "{ ";
  for (std::size_t i = 0; i < table.keys.size(); ++i)
    out += (i ? ", " : "") + format_key_part(table.keys[i]) + " = " + format_literal(table.values[i], 0);
  return out + " }";
}

std::string format_inline_array(const Value& array, int nest_level) {
  if (array.items.empty()) return "[]";
  std::string item_indent, closing_indent;
  for (int i = 0; i < nest_level; ++i) closing_indent += kIndent;
  item_indent = closing_indent + kIndent;
  std::string out = "[\n";
  for (std::size_t i = 0; i < array.items.size(); ++i)
    out += (i ? ",\n" : "") + item_indent + format_literal(array.items[i], nest_level + 1);
  return out + ",\n" + closing_indent + "]";
}

std::string format_literal(const Value& v, int nest_level) {
  switch (v.kind) {
    case Value::Kind::boolean: return v.boolean ? "true" : "false";
    case Value::Kind::integer: return std::to_string(v.integer);
    case Value::Kind::floating: return python_float_text(v.floating);
    case Value::Kind::date:
    case Value::Kind::time:
    case Value::Kind::date_time: return v.text;
    case Value::Kind::string: return format_string(v.text);
    case Value::Kind::array: return format_inline_array(v, nest_level);
    case Value::Kind::table: return format_inline_table(v);
  }
  return "";
}

// Python's len() of UTF-8 text: code points.
std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

bool is_suitable_inline_table(const Value& table) {
  const std::string rendered = kIndent + format_inline_table(table) + ",";
  return code_points(rendered) <= kMaxLineLength && rendered.find('\n') == std::string::npos;
}

// A non-empty array whose items are all tables.
bool is_array_of_tables(const Value& v) {
  return v.is_array() && !v.items.empty() &&
         std::all_of(v.items.begin(), v.items.end(), [](const Value& item) { return item.is_table(); });
}

void gen_table_chunks(const Value& table, const std::string& name, bool inside_aot, std::string& out) {
  bool yielded = false;
  std::vector<std::pair<const std::string*, const Value*>> literals;
  struct Sub {
    const std::string* key;
    const Value* value;
    bool inside_aot;
  };
  std::vector<Sub> tables;
  for (std::size_t i = 0; i < table.keys.size(); ++i) {
    const Value& v = table.values[i];
    if (v.is_table()) {
      tables.push_back({&table.keys[i], &v, false});
    } else if (is_array_of_tables(v) && !std::all_of(v.items.begin(), v.items.end(), is_suitable_inline_table)) {
      for (const Value& t : v.items) tables.push_back({&table.keys[i], &t, true});
    } else {
      literals.emplace_back(&table.keys[i], &v);
    }
  }
  if (inside_aot || (!name.empty() && (!literals.empty() || tables.empty()))) {
    yielded = true;
    out += inside_aot ? "[[" + name + "]]\n" : "[" + name + "]\n";
  }
  if (!literals.empty()) {
    yielded = true;
    for (const auto& [key, value] : literals) out += format_key_part(*key) + " = " + format_literal(*value, 0) + "\n";
  }
  for (const Sub& sub : tables) {
    if (yielded) out += "\n";
    yielded = true;
    const std::string part = format_key_part(*sub.key);
    gen_table_chunks(*sub.value, name.empty() ? part : name + "." + part, sub.inside_aot, out);
  }
}

}  // namespace

bool same_value(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::string:
    case Value::Kind::date:
    case Value::Kind::time:
    case Value::Kind::date_time: return a.text == b.text;
    case Value::Kind::integer: return a.integer == b.integer;
    case Value::Kind::floating: return a.floating == b.floating || (std::isnan(a.floating) && std::isnan(b.floating));
    case Value::Kind::boolean: return a.boolean == b.boolean;
    case Value::Kind::array:
      return a.items.size() == b.items.size() &&
             std::equal(a.items.begin(), a.items.end(), b.items.begin(), same_value);
    case Value::Kind::table:
      return a.keys == b.keys && std::equal(a.values.begin(), a.values.end(), b.values.begin(), same_value);
  }
  return false;
}

Value parse_document(const std::string& text, const std::string& name) {
  try {
    return convert_table(toml::parse(text, name));
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw Error(ErrorCategory::input, name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                          ": malformed manifest: " + std::string(e.description()) + ".");
  }
}

std::string dump_document(const Value& root) {
  std::string out;
  gen_table_chunks(root, "", false, out);
  return out;
}

std::string python_float_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest round-trip digits and the decimal exponent, as Python's repr() starts from.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e+16"
  std::string sign;
  if (sci.front() == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int decpt = std::stoi(sci.substr(e + 1)) + 1;  // digits d1 d2 ... with the point after decpt of them
  const int n = static_cast<int>(digits.size());
  std::string out;
  if (decpt <= -4 || decpt > 16) {
    out = digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    const int exp = decpt - 1;
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += ebuf;
  } else if (decpt <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
  } else if (decpt < n) {
    out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
  } else {
    out = digits + std::string(static_cast<std::size_t>(decpt - n), '0') + ".0";
  }
  return sign + out;
}

}  // namespace gsc::gramine
