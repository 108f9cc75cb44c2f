#pragma once
// What runs outside the enclave, found in the Gramine image: Gramine's SGX loader is a
// dynamically linked program (its ELF interpreter, libc, libprotobuf-c). gsc brings a copy of
// it whose interpreter is gsc's copy of the dynamic linker, and that linker's libraries, so
// the loader runs whatever libc the app image has, or none.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gsc::gramine {

// The dynamic-linking facts of an ELF64 file.
struct ElfDynamic {
  std::string interpreter;            // PT_INTERP, "" for a static program or a library
  std::vector<std::string> needed;    // DT_NEEDED sonames, in order
  std::vector<std::string> runpath;   // DT_RUNPATH (or DT_RPATH) directories
};

// Reads them; a gsc::Error (input) naming `name` when the file is not ELF64 or is damaged.
ElfDynamic read_dynamic(const std::string& elf, const std::string& name);

// The same bytes with PT_INTERP replaced by `interpreter`, which must fit in the old one's
// room (the string and its NUL); a gsc::Error (input) otherwise, or without PT_INTERP.
std::string with_interpreter(const std::string& elf, const std::string& interpreter, const std::string& name);

inline constexpr const char* kHostDir = "/gramine/gsc";                 // gsc's host-side runtime
inline constexpr const char* kSgxLoader = "/gramine/gsc/sgx-loader";    // Gramine's loader, re-pointed
inline constexpr const char* kDynamicLinker = "/gramine/gsc/ld.so";     // fits /lib64/ld-linux-x86-64.so.2's room
inline constexpr const char* kHostLibDir = "/gramine/gsc/lib";          // the libraries, by soname
inline constexpr const char* kLauncher = "/gramine/gsc/launch";         // gsc-launch, the image's ENTRYPOINT

struct HostFile {
  std::string path;    // where it goes in the app image (under kHostDir)
  std::string source;  // where it came from in the Gramine image
  std::string bytes;
};

// Reads a file of the Gramine image, following symlinks; std::nullopt when it is not there.
using ImageFileReader = std::function<std::optional<std::string>(const std::string& path)>;

// The SGX loader at `loader_path` and everything its start-up maps: the interpreter and the
// closure of DT_NEEDED, each looked up (as the dynamic linker does) in the object's RUNPATH,
// then in `library_dirs`. A library that cannot be found is an input error naming it and the
// object that needs it. A static loader (no interpreter) is taken as it is.
std::vector<HostFile> sgx_loader_files(const ImageFileReader& read, const std::string& loader_path,
                                       const std::vector<std::string>& library_dirs);

// Where a distro's dynamic linker looks by default, first to last (x86-64).
std::vector<std::string> default_library_dirs();

}  // namespace gsc::gramine
