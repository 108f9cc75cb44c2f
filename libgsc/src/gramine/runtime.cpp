#include "gramine/runtime.hpp"

#include <regex>

namespace gsc::gramine {

Runtime runtime_from_launcher(const std::string& script) {
  Runtime r;
  // Only the first few KiB: the script is short, and the image controls its size.
  const std::string head = script.substr(0, 16384);
  static const std::regex version(R"re(echo "Gramine ([0-9][0-9A-Za-z.+~-]{0,30}) \()re");
  static const std::regex libpal(R"re((^|\n)LIBPAL_PATH=(/gramine/[A-Za-z0-9_./+-]{1,200}/sgx/libpal\.so)\n)re");
  std::smatch m;
  if (std::regex_search(head, m, version)) r.version = m[1];
  if (std::regex_search(head, m, libpal) && m[2].str().find("..") == std::string::npos) {
    r.libpal_path = m[2];
    r.pkglibdir = r.libpal_path.substr(0, r.libpal_path.size() - std::string("/sgx/libpal.so").size());
  }
  return r;
}

bool measured_natively(const std::string& version) { return version == "1.9"; }

}  // namespace gsc::gramine
