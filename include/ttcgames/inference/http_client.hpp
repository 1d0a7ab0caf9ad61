// A small asynchronous HTTP client over libcurl's multi interface: many POST requests in flight on one thread,
// connections kept alive and reused, each request bounded by a connect timeout and a total timeout (seconds).
// It does no retrying and no interpretation of bodies: the caller (collect.hpp) decides what a result means.
//
// A finished request is an HttpResult: either a complete HTTP response (status, body, the Retry-After delay when the
// server sent one) or a transport failure (refused or dropped connection, timeout, truncated response) with
// libcurl's message. Results come back in completion order, tagged with the caller's tag.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ttcg {

struct HttpClientOptions {
  double connect_timeout = 10.0;     //!< seconds to establish a connection
  double timeout = 600.0;            //!< seconds for a whole request (connect, send, wait, receive)
  std::vector<std::string> headers;  //!< extra request headers, "Name: value"
  long max_connections = 0;          //!< connections kept open for reuse (0: libcurl's default)
};

struct HttpRequest {
  std::uint64_t tag = 0;  //!< the caller's identifier, returned with the result
  std::string url;
  std::string body;  //!< POSTed as application/json
};

struct HttpResult {
  std::uint64_t tag = 0;
  bool transport_ok = false;  //!< a complete HTTP response arrived (status and body are valid)
  int curl_code = 0;          //!< libcurl's CURLcode (0 when transport_ok)
  std::string error;          //!< libcurl's message when !transport_ok
  long status = 0;            //!< HTTP status code
  std::string body;
  std::optional<double> retry_after;  //!< seconds the server asked to wait (Retry-After), when it sent one
  double seconds = 0.0;               //!< time from start to completion
};

//! Not copyable; one per thread.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  //! Starts a POST request.
  void start(HttpRequest request);
  //! Drives the transfers for at most `max_seconds` (returning early as soon as one finishes) and returns the
  //! finished ones.
  std::vector<HttpResult> wait(double max_seconds);
  //! Requests in flight.
  std::size_t in_flight() const;
  //! Abandons every request in flight (their results never come).
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttcg
