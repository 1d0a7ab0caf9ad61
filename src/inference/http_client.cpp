#include "ttcgames/inference/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "ttcgames/core/version.hpp"

namespace ttcg {

namespace {

using Clock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialize");
  });
}

long milliseconds(double seconds) {
  return static_cast<long>(std::ceil(seconds * 1000.0));
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

struct HttpClient::Impl {
  struct Transfer {
    CURL* easy = nullptr;
    HttpRequest request;
    std::string response;
    std::array<char, CURL_ERROR_SIZE> error{};
    Clock::time_point started;
  };

  HttpClientOptions options;
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  std::string user_agent = std::string("ttcgames/") + VERSION;
  std::vector<CURL*> idle;  //!< easy handles kept for reuse
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {
    global_init();
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("libcurl: cannot create a multi handle");
    if (options.max_connections > 0) curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_connections);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before the body
    for (const std::string& h : options.headers) headers = curl_slist_append(headers, h.c_str());
  }

  ~Impl() {
    for (auto& [easy, t] : active) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
    }
    for (CURL* easy : idle) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
  }

  void start(HttpRequest request) {
    CURL* easy = nullptr;
    if (!idle.empty()) {
      easy = idle.back();
      idle.pop_back();
      curl_easy_reset(easy);
    } else {
      easy = curl_easy_init();
      if (!easy) throw std::runtime_error("libcurl: cannot create an easy handle");
    }
    auto t = std::make_unique<Transfer>();
    t->easy = easy;
    t->request = std::move(request);
    t->started = Clock::now();
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t->response);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error.data());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connect_timeout));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, milliseconds(options.timeout));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    const CURLMcode added = curl_multi_add_handle(multi, easy);
    if (added != CURLM_OK)
      throw std::runtime_error(std::string("libcurl: cannot start a request: ") + curl_multi_strerror(added));
    active.emplace(easy, std::move(t));
  }

  HttpResult finish(CURL* easy, CURLcode code) {
    auto it = active.find(easy);
    std::unique_ptr<Transfer> t = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);
    HttpResult r;
    r.tag = t->request.tag;
    r.seconds = std::chrono::duration<double>(Clock::now() - t->started).count();
    r.curl_code = static_cast<int>(code);
    r.transport_ok = code == CURLE_OK;
    if (r.transport_ok) {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
      r.body = std::move(t->response);
      curl_header* header = nullptr;
      if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
        curl_off_t seconds = 0;  // libcurl reads both forms: delay-seconds and an HTTP date
        curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &seconds);
        r.retry_after = static_cast<double>(std::max<curl_off_t>(seconds, 0));
      }
    } else {
      r.error = t->error[0] != '\0' ? std::string(t->error.data()) : std::string(curl_easy_strerror(code));
    }
    idle.push_back(easy);
    return r;
  }

  std::vector<HttpResult> collect() {
    std::vector<HttpResult> done;
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued))
      if (m->msg == CURLMSG_DONE) done.push_back(finish(m->easy_handle, m->data.result));
    return done;
  }

  std::vector<HttpResult> wait(double max_seconds) {
    const Clock::time_point until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                       std::chrono::duration<double>(std::max(max_seconds, 0.0)));
    while (true) {
      int running = 0;
      const CURLMcode performed = curl_multi_perform(multi, &running);
      if (performed != CURLM_OK) throw std::runtime_error(std::string("libcurl: ") + curl_multi_strerror(performed));
      std::vector<HttpResult> done = collect();
      const double left = std::chrono::duration<double>(until - Clock::now()).count();
      if (!done.empty() || left <= 0.0 || active.empty()) return done;
      const CURLMcode polled = curl_multi_poll(multi, nullptr, 0, static_cast<int>(milliseconds(left)), nullptr);
      if (polled != CURLM_OK) throw std::runtime_error(std::string("libcurl: ") + curl_multi_strerror(polled));
    }
  }

  void cancel_all() {
    for (auto& [easy, t] : active) {
      curl_multi_remove_handle(multi, easy);
      idle.push_back(easy);
    }
    active.clear();
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

void HttpClient::start(HttpRequest request) {
  impl_->start(std::move(request));
}

std::vector<HttpResult> HttpClient::wait(double max_seconds) {
  return impl_->wait(max_seconds);
}

std::size_t HttpClient::in_flight() const {
  return impl_->active.size();
}

void HttpClient::cancel_all() {
  impl_->cancel_all();
}

}  // namespace ttcg
