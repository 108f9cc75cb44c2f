#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "docker/stream.hpp"
#include "gsc/error.hpp"

using gsc::docker::BuildStreamDecoder;
using gsc::docker::JsonSplitter;
using gsc::docker::LogDemuxer;

namespace {

// A /build answer as the daemon sends it: several objects, a string with braces and
// escaped quotes, an aux object, the final line.
const std::string kStream =
    "{\"stream\":\"Step 1/2 : FROM gsc-test/debian:12\"}\r\n"
    "{\"stream\":\"\\n\"}\r\n{\"stream\":\" ---\\u003e 1461ac2998f6\\n\"}\r\n"
    "{\"stream\":\"Step 2/2 : RUN echo '{not json}' \\\"q\\\"\\n\"}\r\n"
    "{\"stream\":\"{not json} \\\"q\\\"\\n\"}\r\n"
    "{\"aux\":{\"ID\":\"sha256:abc\"}}\r\n"
    "{\"stream\":\"Successfully built abc\\n\"}\r\n";

std::vector<std::string> lines_of(const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  BuildStreamDecoder decoder([&](const gsc::ProgressEvent& e) { lines.push_back(e.text); });
  for (const auto& c : chunks) decoder.feed(c);
  decoder.finish();
  CHECK(decoder.image_id() == "sha256:abc");
  return lines;
}

}  // namespace

TEST_CASE("JsonSplitter: objects split at every byte boundary come out whole and in order", "[stream]") {
  std::vector<std::string> whole;
  JsonSplitter reference;
  reference.feed(kStream, [&](std::string_view o) { whole.emplace_back(o); });
  REQUIRE(whole.size() == 7);
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= kStream.size(); cut2 += 7) {
      std::vector<std::string> got;
      JsonSplitter splitter;
      auto sink = [&](std::string_view o) { got.emplace_back(o); };
      splitter.feed(kStream.substr(0, cut), sink);
      splitter.feed(kStream.substr(cut, cut2 - cut), sink);
      splitter.feed(kStream.substr(cut2), sink);
      REQUIRE(got == whole);
      CHECK(splitter.empty());
    }
  }
}

TEST_CASE("BuildStreamDecoder: one progress event per line, byte by byte too", "[stream]") {
  const auto expected = lines_of({kStream});
  CHECK(expected.front() == "Step 1/2 : FROM gsc-test/debian:12");
  CHECK(std::find(expected.begin(), expected.end(), "{not json} \"q\"") != expected.end());
  std::vector<std::string> bytes;
  for (char c : kStream) bytes.emplace_back(1, c);
  CHECK(lines_of(bytes) == expected);
}

TEST_CASE("BuildStreamDecoder: an error becomes a BuildError with the failing step and its output", "[stream]") {
  const std::string stream =
      "{\"stream\":\"Step 1/2 : FROM x\\n\"}{\"stream\":\" ---\\u003e 1\\n\"}"
      "{\"stream\":\"Step 2/2 : RUN echo oops \\u0026\\u0026 false\\n\"}{\"stream\":\" ---\\u003e Running in 2\\n\"}"
      "{\"stream\":\"oops\\n\"}"
      "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c echo oops \\u0026\\u0026 false' returned a non-zero code: 1\"},"
      "\"error\":\"The command returned a non-zero code: 1\"}";
  BuildStreamDecoder decoder({});
  decoder.feed(stream);
  try {
    decoder.finish();
    FAIL("no error");
  } catch (const gsc::BuildError& e) {
    CHECK(e.category() == gsc::ErrorCategory::build_failed);
    CHECK(e.step() == "RUN echo oops && false");
    CHECK(e.output() == "oops\n");
    CHECK(std::string(e.what()).find("non-zero code: 1") != std::string::npos);
  }
}

TEST_CASE("BuildStreamDecoder: a stream without an image id is an error", "[stream]") {
  BuildStreamDecoder decoder({});
  decoder.feed("{\"stream\":\"Step 1/1 : FROM x\\n\"}");
  CHECK_THROWS_AS(decoder.finish(), gsc::Error);
}

TEST_CASE("LogDemuxer: stdout and stderr frames, split anywhere", "[stream]") {
  auto frame = [](char stream, const std::string& payload) {
    std::string f{stream, 0, 0, 0};
    const auto n = static_cast<std::uint32_t>(payload.size());
    f += static_cast<char>(n >> 24);
    f += static_cast<char>((n >> 16) & 0xff);
    f += static_cast<char>((n >> 8) & 0xff);
    f += static_cast<char>(n & 0xff);
    return f + payload;
  };
  const std::string big(70000, 'x');
  const std::string data = frame(1, "out 1\n") + frame(2, "err 1\n") + frame(1, big) + frame(2, "") + frame(1, "out 2\n");
  for (std::size_t step : {1, 3, 8, 9, 4096, 100000}) {
    LogDemuxer demux;
    for (std::size_t i = 0; i < data.size(); i += step) demux.feed(std::string_view(data).substr(i, step));
    CHECK(demux.out == "out 1\n" + big + "out 2\n");
    CHECK(demux.err == "err 1\n");
  }
}

TEST_CASE("LogDemuxer: a frame's payload is passed on as it arrives, whatever length it announces", "[stream][bounds]") {
  LogDemuxer demux;
  demux.feed(std::string("\x01\0\0\0\xff\xff\xff\xff", 8));  // 4 GiB announced
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 8; ++i) demux.feed(chunk);
  CHECK(demux.out.size() == 8u << 20);  // nothing held back waiting for the rest of the frame

  LogDemuxer tail(1024);  // only the tail is kept
  tail.feed(std::string("\x02\0\0\0\x00\x10\x00\x00", 8));  // 1 MiB on stderr
  for (int i = 0; i < 1024; ++i) tail.feed(std::string(1023, 'e') + "\n");
  CHECK(tail.err.size() <= 2048);
  CHECK(tail.err.back() == '\n');
  tail.feed(std::string("\x01\0\0\0\0\0\0\x02ok", 10));
  CHECK(tail.out == "ok");
}

TEST_CASE("JsonSplitter: a message beyond 1 MiB is a daemon error, objects below pass", "[stream][bounds]") {
  JsonSplitter splitter("build an image");
  std::size_t objects = 0;
  const std::string big = "{\"stream\":\"" + std::string(900 * 1024, 'a') + "\"}";
  splitter.feed(big + big, [&](std::string_view) { ++objects; });
  CHECK(objects == 2);
  splitter.feed("{\"stream\":\"", [&](std::string_view) {});
  const std::string chunk(64 * 1024, 'b');
  try {
    for (int i = 0; i < 32; ++i) splitter.feed(chunk, [&](std::string_view) {});
    FAIL("no limit");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::daemon_api);
    CHECK(std::string(e.what()).find("A message in build an image passes 1 MiB") == 0);
  }
}

TEST_CASE("BuildStreamDecoder: a line without a newline beyond 1 MiB fails naming the step, step output keeps its tail", "[stream][bounds]") {
  BuildStreamDecoder decoder({});
  decoder.feed("{\"stream\":\"Step 2/3 : RUN yes | tr -d '\\\\n'\\n\"}\r\n");
  const std::string object = "{\"stream\":\"" + std::string(32 * 1024, 'y') + "\"}\r\n";
  try {
    for (int i = 0; i < 64; ++i) decoder.feed(object);
    FAIL("no limit");
  } catch (const gsc::Error& e) {
    CHECK(e.category() == gsc::ErrorCategory::build_failed);
    CHECK(std::string(e.what()) ==
          "The build printed a line of more than 1 MiB without a newline in `RUN yes | tr -d '\\n'`: gsc refuses to "
          "buffer it. Make the step print less.");
  }

  BuildStreamDecoder many({});
  many.feed("{\"stream\":\"Step 1/1 : RUN seq 1000000\\n\"}\r\n");
  for (int i = 0; i < 20000; ++i) many.feed("{\"stream\":\"" + std::to_string(i) + " a line of output\\n\"}\r\n");
  many.feed("{\"errorDetail\":{\"message\":\"failed\"},\"error\":\"failed\"}\r\n");
  try {
    many.finish();
    FAIL("no error");
  } catch (const gsc::BuildError& e) {
    CHECK(e.output().size() <= 2 * (64 << 10));
    CHECK(e.output().find("19999 a line of output\n") != std::string::npos);
  }
}

TEST_CASE("BuildStreamDecoder: wrongly typed fields are daemon errors naming the field", "[stream][types]") {
  BuildStreamDecoder decoder({});
  CHECK_THROWS_WITH(decoder.feed("{\"stream\":5}"), Catch::Contains("`stream` as a number, not a string"));
  BuildStreamDecoder aux({});
  CHECK_THROWS_WITH(aux.feed("{\"aux\":{\"ID\":[1]}}"), Catch::Contains("`aux.ID` as an array, not a string"));
}
