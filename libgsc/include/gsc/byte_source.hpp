#pragma once
// ByteSource: a pull-style stream of bytes (an HTTP body from the daemon, a file, a buffer).
// Readers such as the tar reader pull from it, so nothing holds a whole image in memory.

#include <cstddef>
#include <memory>
#include <string>

#include "gsc/export.hpp"

namespace gsc {

class GSC_API ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`; returns how many, 0 only at the end of the stream.
  // Throws gsc::Error on a transport failure.
  virtual std::size_t read(void* buffer, std::size_t size) = 0;
};

// A ByteSource over bytes held in memory (tests, small contexts).
GSC_API std::unique_ptr<ByteSource> make_memory_source(std::string bytes);

}  // namespace gsc
