#pragma once
// The first half of Gramine v1.9's `gramine-sgx-sign`, natively: the manifest as Gramine reads
// it (its defaults filled in, every trusted file expanded and carrying its SHA-256), written
// as manifest.sgx byte for byte as Gramine writes it, and the enclave attributes it implies.

#include <cstdint>
#include <string>
#include <vector>

#include "gramine/document.hpp"

namespace gsc::gramine {

// What the signer may read of the image's files: trusted files listed without a hash,
// directories listed as `file:/dir/`, a loader.entrypoint without sha256. Paths are absolute
// paths inside the image; kind() and sha256() follow symlinks as open(2) would.
class FileView {
 public:
  enum class Kind { missing, file, directory, other };
  virtual ~FileView() = default;
  virtual Kind kind(const std::string& path) const = 0;
  virtual bool is_symlink(const std::string& path) const = 0;
  virtual std::vector<std::string> list(const std::string& directory) const = 0;  // entry names
  virtual std::string sha256(const std::string& path) const = 0;                   // lowercase hex
  // Whether the files are at hand without further work. Python's signer also checks that an
  // entry with a hash is no directory; gsc does that only when the files are at hand anyway.
  virtual bool at_hand() const { return true; }
};

// Where a Gramine installation keeps its libraries (pkglibdir), e.g.
// /gramine/meson_build_output/lib/x86_64-linux-gnu/gramine; loader.entrypoint defaults to
// libsysdb.so there.
struct Installation {
  std::string pkglibdir;
};

// What SIGSTRUCT and the enclave layout take from the manifest's `sgx` table.
struct EnclaveAttributes {
  std::uint64_t enclave_size = 0;
  std::uint64_t max_threads = 0;
  bool edmm = false;
  std::uint16_t isv_prod_id = 0;
  std::uint16_t isv_svn = 0;
  std::uint64_t flags = 0;       // SIGSTRUCT ATTRIBUTES.FLAGS (DEBUG, MODE64BIT)
  std::uint64_t xfrm = 0;
  std::uint64_t xfrm_mask = 0;
  std::uint32_t misc_select = 0;
};

struct SgxManifest {
  std::string text;                  // entrypoint.manifest.sgx
  EnclaveAttributes attributes;
  std::size_t trusted_files = 0;
  std::vector<std::string> hashed;   // files gsc had to read and hash (entries without sha256)
};

// `files` may be null: then every trusted file must carry its hash (as gsc build writes them),
// and a manifest that needs a file is an input error naming it.
SgxManifest make_manifest_sgx(const std::string& manifest_text, const Installation& gramine, const FileView* files);

// Gramine v1.9's defaults (sgx.max_threads, sgx.enclave_size, ...) where the manifest has none.
void apply_defaults(Value& manifest);

// The attributes of an already complete manifest (a manifest.sgx).
EnclaveAttributes enclave_attributes(const Value& manifest);

// Python's int(value, 0) with Gramine's K/M/G suffixes ("256M", "0x1000", "4G").
std::uint64_t parse_size(const std::string& value, const std::string& key);

}  // namespace gsc::gramine
