#pragma once
// A TOML document as Gramine's Python tools hold it: tomli's values (Python's str() of dates
// and times) in tables that keep the order in which their keys first appear in the text.
// Gramine's signer writes manifest.sgx from such a tree, so gsc needs that order, which
// toml++ (sorted tables) does not keep on its own.

#include <cstdint>
#include <string>
#include <vector>

namespace gsc::gramine {

struct Value {
  enum class Kind { string, integer, floating, boolean, date, time, date_time, array, table };
  Kind kind = Kind::table;
  std::string text;                 // string; date, time, date_time: Python's str() of the value
  std::int64_t integer = 0;
  double floating = 0;
  bool boolean = false;
  std::vector<Value> items;         // array
  std::vector<std::string> keys;    // table: keys in document order
  std::vector<Value> values;        // table: values[i] belongs to keys[i]

  static Value make_string(std::string s);
  static Value make_integer(std::int64_t i);
  static Value make_boolean(bool b);
  static Value make_table();
  static Value make_array();

  bool is_table() const { return kind == Kind::table; }
  bool is_array() const { return kind == Kind::array; }
  bool is_string() const { return kind == Kind::string; }

  // Table lookup; nullptr when absent (or when this is not a table).
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  // Python's dict.setdefault: the value under `key`, inserted at the end when absent.
  Value& set_default(const std::string& key, Value fallback);
  // Python's d[key] = value: replaces in place (order kept) or appends.
  void set(const std::string& key, Value value);
};

// Same kind and value (tables: same keys in the same order); NaN equals NaN.
bool same_value(const Value& a, const Value& b);

// Parses TOML text (toml++ validates it); a malformed document is a gsc::Error (input) that
// names `name`, line and column.
Value parse_document(const std::string& text, const std::string& name);

// The document as Gramine v1.9's signer writes it (tomli_w 1.0's layout: `[table]` headers,
// `key = value` lines, arrays one item per line, arrays of short tables inline, other arrays
// of tables as `[[name]]` sections).
std::string dump_document(const Value& root);

// Python's repr() of a float ("1.0", "1e+16", "inf").
std::string python_float_text(double value);

}  // namespace gsc::gramine
