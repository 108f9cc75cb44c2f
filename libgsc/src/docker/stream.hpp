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

// Limits no daemon reaches, so that a tampering proxy or a hostile build cannot take gsc's
// memory. The daemon writes one JSON message per write of a build step's output (its copy
// buffer is 32 KiB), per pull status, per aux or error: 1 MiB is far above any of them.
// Non-streamed answers (inspect, list) are bounded by http::Response::read_all instead.
inline constexpr std::size_t kMaxJsonMessage = 1 << 20;
// A line of build output without a newline.
inline constexpr std::size_t kMaxBuildLine = 1 << 20;
// What a failing step's output keeps for the error (its last bytes).
inline constexpr std::size_t kMaxStepOutput = 64 << 10;

// Splits a stream of concatenated JSON objects (the /build answer) that arrive cut at
// arbitrary places: feed() bytes, get every complete object's text in order.
class JsonSplitter {
 public:
  // A message longer than kMaxJsonMessage is a daemon_api error naming `what`.
  explicit JsonSplitter(std::string what = "the Docker daemon's stream") : what_(std::move(what)) {}
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
  std::string what_;
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
// u32 length) fed in arbitrary chunks, into stdout and stderr. A frame's payload is passed on
// as it arrives, never buffered whole: the length a daemon announces takes no memory.
class LogDemuxer {
 public:
  // tail_limit > 0: out and err keep only about their last tail_limit bytes (what an error
  // message needs of a container's logs).
  explicit LogDemuxer(std::size_t tail_limit = 0) : tail_limit_(tail_limit) {}
  void feed(std::string_view bytes);
  std::string out;
  std::string err;

 private:
  std::string header_;          // the current frame's header, while incomplete
  std::uint64_t remaining_ = 0; // payload bytes of the current frame still to come
  std::string* target_ = nullptr;
  std::size_t tail_limit_;
};

// Keeps the last `limit` bytes of text (trimmed when it passes twice that, so appends stay cheap).
void keep_tail(std::string& text, std::size_t limit);

}  // namespace gsc::docker
