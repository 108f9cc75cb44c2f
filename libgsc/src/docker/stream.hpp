#pragma once
// Pure decoders of the daemon's streamed answers, fed chunk by chunk as bytes arrive.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gsc/progress.hpp"

namespace gsc::docker {

// Splits a stream of concatenated JSON objects (the /build answer) that arrive cut at
// arbitrary places: feed() bytes, get every complete object's text in order.
class JsonSplitter {
 public:
  // Appends bytes; calls `on_object` with each complete top-level JSON object's text.
  void feed(std::string_view bytes, const std::function<void(std::string_view)>& on_object);
  // True when no partial object is buffered.
  bool empty() const;

 private:
  std::string pending_;
  std::size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t start_ = 0;
};

// What the /build stream said: output lines as they come, the image id, the error.
class BuildStreamDecoder {
 public:
  // Called with a step's container id when the step starts ("Running in ID") and ends
  // ("Removing intermediate container ID").
  using ContainerFn = std::function<void(const std::string& id, bool running)>;

  explicit BuildStreamDecoder(ProgressFn progress, ContainerFn on_container = {})
      : progress_(std::move(progress)), on_container_(std::move(on_container)) {}
  // Feeds raw bytes of the response body.
  void feed(std::string_view bytes);
  // Call at the end of the body: flushes a partial line; throws gsc::BuildError if the
  // stream reported an error, with the failing step and that step's output.
  void finish();
  // The built image's id (aux.ID, or the "Successfully built" line).
  const std::string& image_id() const { return image_id_; }

 private:
  void on_object(std::string_view text);
  void on_text(const std::string& text);
  void on_line(const std::string& line);

  ProgressFn progress_;
  ContainerFn on_container_;
  JsonSplitter splitter_;
  std::string partial_line_;
  std::string step_;
  std::string step_output_;
  std::string image_id_;
  std::optional<std::string> error_;
};

// What the /images/create (pull) stream said: each layer's state changes as they come
// ("a1b2c3: Pull complete"; byte counts are left out), and the error that ended it.
class PullStreamDecoder {
 public:
  explicit PullStreamDecoder(ProgressFn progress) : progress_(std::move(progress)) {}
  void feed(std::string_view bytes);
  // The error the stream reported, if any (call after the last feed()).
  const std::optional<std::string>& error() const { return error_; }

 private:
  void on_object(std::string_view text);

  ProgressFn progress_;
  JsonSplitter splitter_;
  std::optional<std::string> error_;
};

// Demultiplexes the logs/attach stream (8-byte header: stream type, 0, 0, 0, big-endian
// u32 length) fed in arbitrary chunks, into stdout and stderr.
class LogDemuxer {
 public:
  void feed(std::string_view bytes);
  std::string out;
  std::string err;

 private:
  std::string pending_;
};

}  // namespace gsc::docker
