#include "ops/phases.hpp"

namespace gsc::ops {

Phase phase_named(const std::string& name) {
  for (int i = static_cast<int>(Phase::inputs); i <= static_cast<int>(Phase::compare); ++i)
    if (name == to_string(static_cast<Phase>(i))) return static_cast<Phase>(i);
  return Phase::none;
}

}  // namespace gsc::ops
