#include "docker/stream.hpp"

#include <nlohmann/json.hpp>

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
  }
}

bool JsonSplitter::empty() const { return depth_ == 0; }

void BuildStreamDecoder::feed(std::string_view bytes) {
  splitter_.feed(bytes, [this](std::string_view text) { on_object(text); });
}

void BuildStreamDecoder::on_object(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return;
  if (json.contains("stream") && json["stream"].is_string()) on_text(json["stream"].get<std::string>());
  if (json.contains("aux") && json["aux"].is_object() && json["aux"].contains("ID") && json["aux"]["ID"].is_string())
    image_id_ = json["aux"]["ID"].get<std::string>();
  if (json.contains("error") || json.contains("errorDetail")) {
    std::string message;
    if (json.contains("errorDetail") && json["errorDetail"].is_object() && json["errorDetail"].contains("message"))
      message = json["errorDetail"]["message"].get<std::string>();
    if (message.empty() && json.contains("error") && json["error"].is_string()) message = json["error"].get<std::string>();
    error_ = message.empty() ? std::string("unknown error") : message;
  }
}

void BuildStreamDecoder::on_text(const std::string& text) {
  partial_line_ += text;
  std::size_t nl;
  while ((nl = partial_line_.find('\n')) != std::string::npos) {
    on_line(partial_line_.substr(0, nl));
    partial_line_.erase(0, nl + 1);
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

void LogDemuxer::feed(std::string_view bytes) {
  pending_.append(bytes);
  std::size_t pos = 0;
  while (pending_.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(pending_.data() + pos);
    const std::uint32_t length = (std::uint32_t{h[4]} << 24) | (std::uint32_t{h[5]} << 16) |
                                 (std::uint32_t{h[6]} << 8) | std::uint32_t{h[7]};
    if (pending_.size() - pos - 8 < length) break;
    std::string& target = h[0] == 2 ? err : out;
    target.append(pending_, pos + 8, length);
    pos += 8 + length;
  }
  pending_.erase(0, pos);
}

}  // namespace gsc::docker
