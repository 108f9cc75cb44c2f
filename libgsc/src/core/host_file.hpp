#pragma once
// Writing a file on the host, every step checked to the end (close included): a full disk
// or a failing device is an error naming the file, never an empty or truncated file.

#include <string>
#include <sys/types.h>

namespace gsc {

// Creates or truncates `path` with `mode` (before the umask) and writes `bytes` to it. Throws
// gsc::Error (input) naming the file and the system's reason.
void write_host_file(const std::string& path, const std::string& bytes, mode_t mode = 0644);

}  // namespace gsc
