#include "gsc/progress.hpp"

namespace gsc {

const char* to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::none: return "";
    case Phase::inputs: return "inputs";
    case Phase::compile: return "compile";
    case Phase::context: return "context";
    case Phase::stage_base: return "stage_base";
    case Phase::stage_build: return "stage_build";
    case Phase::export_and_hash: return "export_and_hash";
    case Phase::entry_point: return "entry_point";
    case Phase::manifest: return "manifest";
    case Phase::manifest_check: return "manifest_check";
    case Phase::final_layer: return "final_layer";
    case Phase::read_image: return "read_image";
    case Phase::measure: return "measure";
    case Phase::sign: return "sign";
    case Phase::export_signing_data: return "export";
    case Phase::analysis: return "analysis";
    case Phase::compare: return "compare";
  }
  return "";
}

}  // namespace gsc
