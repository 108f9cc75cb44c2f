#include "gsc/version.hpp"

namespace gsc {

const char* version() noexcept { return GSC_VERSION_STRING; }

}  // namespace gsc
