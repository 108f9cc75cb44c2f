#pragma once
// The only code that speaks HTTP to the daemon: connects (unix socket, TCP, TLS), sends one
// request per connection, and exposes the response body as a stream read on demand. Errors
// of the transport and non-2xx answers become gsc::Error here, nowhere else.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gsc/byte_source.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"

namespace gsc::docker::http {

enum class Method { get, post, put, del, head };

struct Request {
  Method method = Method::get;
  std::string target;  // path and query, already versioned ("/v1.41/images/json?all=1")
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (X-Registry-Auth)
};

// A response whose headers are read and whose body is pulled as a ByteSource.
class Response : public ByteSource {
 public:
  virtual int status() const = 0;
  // A header's value, "" when absent.
  virtual std::string header(const std::string& name) const = 0;
  // The whole remaining body, at most `limit` bytes (an error beyond).
  std::string read_all(std::size_t limit = 64 << 20);
  // Shuts the connection down; callable from another thread: a blocked read() then fails,
  // and the daemon sees its client gone (it cancels a build).
  virtual void abort() noexcept = 0;
};

// A connection the daemon took over after its answer (HTTP upgrade, as for attach): raw
// bytes both ways. read() returns 0 once the daemon closed its side.
class Upgraded : public ByteSource {
 public:
  virtual void write(const std::string& bytes) = 0;
  // Half-closes: the daemon reads EOF, and the answer can still be read.
  virtual void close_write() = 0;
  virtual void abort() noexcept = 0;
};

// Sends the request with `Upgrade: tcp`; expects 101 (or 200, as older daemons answer). A
// non-2xx answer throws, as check() does.
std::unique_ptr<Upgraded> upgrade(const Endpoint& endpoint, Request request, const std::string& what);

// Sends the request and reads the response headers. Throws daemon_unavailable when the
// daemon cannot be reached; does NOT throw for non-2xx statuses (see check()).
std::unique_ptr<Response> send(const Endpoint& endpoint, const Request& request);

// Throws the typed error for a non-2xx response (404 not_found, 409 conflict, else daemon_api),
// with the daemon's message. `what` names the call for context ("inspect image `x`").
void check(Response& response, const std::string& what);

// The daemon's message in an error body: {"message": "..."} or the raw text, one line.
std::string error_message(const std::string& body);

// The ErrorCategory for an HTTP status.
ErrorCategory category_for_status(int status);

// Percent-encodes a query value (everything but unreserved characters).
std::string url_encode(const std::string& value);

// Percent-encodes an image or container reference for a URL path: keeps '/', ':' and '@',
// which the daemon's router expects verbatim ("/images/gsc-test/debian:12/json").
std::string path_encode(const std::string& reference);

// "?k=v&k2=v2" from pairs (values encoded), "" when empty.
std::string query(const std::multimap<std::string, std::string>& params);

}  // namespace gsc::docker::http
