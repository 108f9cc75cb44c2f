#include "docker/stream.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "docker/fields.hpp"
#include "gsc/error.hpp"

namespace gsc::docker {

void JsonSplitter::feed(std::string_view bytes, const std::function<void(std::string_view)>& on_object) {
  pending_.append(bytes);
  for (; scanned_ < pending_.size(); ++scanned_) {
    const char c = pending_[scanned_];
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = depth_ > 0;
    } else if (c == '{' || c == '[') {
      if (depth_++ == 0) start_ = scanned_;
    } else if ((c == '}' || c == ']') && depth_ > 0 && --depth_ == 0) {
      on_object(std::string_view(pending_).substr(start_, scanned_ + 1 - start_));
      pending_.erase(0, scanned_ + 1);
      scanned_ = static_cast<std::size_t>(-1);  // ++ makes it 0
      start_ = 0;
    }
  }
  if (depth_ == 0) {  // only whitespace between objects is buffered: drop it
    pending_.clear();
    scanned_ = 0;
  } else if (pending_.size() - start_ > kMaxJsonMessage) {
    throw Error(ErrorCategory::daemon_api, "A message in " + what_ + " passes " + std::to_string(kMaxJsonMessage >> 20) +
                                               " MiB, more than a Docker daemon sends: gsc refuses to buffer it. Check "
                                               "what DOCKER_HOST names.");
  }
}

bool JsonSplitter::empty() const { return depth_ == 0; }

void BuildStreamDecoder::feed(std::string_view bytes) {
  splitter_.feed(bytes, [this](std::string_view text) { on_object(text); });
}

void BuildStreamDecoder::on_object(std::string_view text) {
  static const std::string what = "build an image";
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return;
  if (const std::string stream = fields::text(json, "stream", what); !stream.empty()) on_text(stream);
  if (const auto* aux = fields::object(json, "aux", what))
    if (const std::string id = fields::text(*aux, "ID", what, "aux"); !id.empty()) image_id_ = id;
  if (json.contains("error") || json.contains("errorDetail")) {
    std::string message;
    if (const auto* detail = fields::object(json, "errorDetail", what)) message = fields::text(*detail, "message", what, "errorDetail");
    if (message.empty()) message = fields::text(json, "error", what);
    error_ = message.empty() ? std::string("unknown error") : message;
  }
}

void BuildStreamDecoder::on_text(const std::string& text) {
  std::size_t start = 0, nl;
  while ((nl = text.find('\n', start)) != std::string::npos) {
    partial_line_.append(text, start, nl - start);
    on_line(partial_line_);
    partial_line_.clear();
    start = nl + 1;
  }
  partial_line_.append(text, start);
  if (partial_line_.size() > kMaxBuildLine) {
    std::string step = step_;
    if (const auto colon = step.find(" : "); colon != std::string::npos) step = step.substr(colon + 3);
    throw Error(ErrorCategory::build_failed, "The build printed a line of more than " +
                                                 std::to_string(kMaxBuildLine >> 20) + " MiB without a newline" +
                                                 (step.empty() ? std::string() : " in `" + step + "`") +
                                                 ": gsc refuses to buffer it. Make the step print less.");
  }
}

void BuildStreamDecoder::on_line(const std::string& raw) {
  std::string line = raw;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("Step ", 0) == 0 && line.find(" : ") != std::string::npos) {
    step_ = line;
    step_output_.clear();
  } else if (line.rfind(" ---> ", 0) != 0 && line.rfind("Removing intermediate container", 0) != 0) {
    step_output_ += line + "\n";
    keep_tail(step_output_, kMaxStepOutput);
  }
  if (line.rfind("Successfully built ", 0) == 0 && image_id_.empty()) image_id_ = line.substr(19);
  if (on_container_) {
    static const std::string running = " ---> Running in ", removing = "Removing intermediate container ";
    if (line.rfind(running, 0) == 0) on_container_(line.substr(running.size()), true);
    if (line.rfind(removing, 0) == 0) on_container_(line.substr(removing.size()), false);
  }
  report(progress_, ProgressEvent::Kind::build_output, line);
}

void BuildStreamDecoder::finish() {
  if (!partial_line_.empty()) {
    on_line(partial_line_);
    partial_line_.clear();
  }
  if (error_) {
    // The step as the Dockerfile wrote it, without "Step 3/5 : ".
    std::string step = step_;
    if (const auto colon = step.find(" : "); colon != std::string::npos) step = step.substr(colon + 3);
    std::string message = *error_;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw BuildError(message, step.empty() ? "(before the first step)" : step, step_output_);
  }
  if (image_id_.empty())
    throw Error(ErrorCategory::daemon_api, "The Docker daemon finished the build without naming the image it built.");
}

void PullStreamDecoder::feed(std::string_view bytes) {
  splitter_.feed(bytes, [this](std::string_view text) { on_object(text); });
}

void PullStreamDecoder::on_object(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return;
  auto string_of = [&json](const char* key) {
    const auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (json.contains("error") || json.contains("errorDetail")) {
    std::string message;
    if (const auto detail = json.find("errorDetail"); detail != json.end() && detail->is_object())
      if (const auto m = detail->find("message"); m != detail->end() && m->is_string()) message = m->get<std::string>();
    if (message.empty()) message = string_of("error");
    while (!message.empty() && message.back() == '\n') message.pop_back();
    error_ = message.empty() ? std::string("unknown error") : message;
    return;
  }
  const std::string status = string_of("status");
  if (status.empty()) return;
  // Byte counts of a layer being downloaded or extracted: many per second, not worth a line.
  if (const auto detail = json.find("progressDetail");
      detail != json.end() && detail->is_object() && detail->contains("current"))
    return;
  const std::string id = string_of("id");
  report(progress_, ProgressEvent::Kind::build_output, id.empty() ? status : id + ": " + status);
}

void keep_tail(std::string& text, std::size_t limit) {
  if (text.size() > 2 * limit) text.erase(0, text.size() - limit);
}

void LogDemuxer::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    if (remaining_ > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
      target_->append(bytes.substr(0, n));
      if (tail_limit_) keep_tail(*target_, tail_limit_);
      remaining_ -= n;
      bytes.remove_prefix(n);
      continue;
    }
    const std::size_t n = std::min<std::size_t>(8 - header_.size(), bytes.size());
    header_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (header_.size() < 8) break;
    const auto* h = reinterpret_cast<const unsigned char*>(header_.data());
    remaining_ = (std::uint64_t{h[4]} << 24) | (std::uint64_t{h[5]} << 16) | (std::uint64_t{h[6]} << 8) | std::uint64_t{h[7]};
    target_ = h[0] == 2 ? &err : &out;
    header_.clear();
  }
}

}  // namespace gsc::docker
