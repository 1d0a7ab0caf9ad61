#include "ttcgames/inference/collect.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/inference/http_client.hpp"
#include "ttcgames/inference/runlog_writer.hpp"

namespace ttcg {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

//! The longest the loop sleeps between looks at signals, timers and progress (seconds).
constexpr double MAX_IDLE_WAIT = 0.1;

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void stop_handler(int signal) {
  g_stop_signal = signal;
}

//! SIGINT and SIGTERM stop the run cleanly while it lasts.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction action {};
    action.sa_handler = stop_handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

Clock::time_point after(Clock::time_point t, double seconds) {
  return t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

//! Every setting that decides what a record holds must match the records already in the output.
void check_resume(const ExistingOutput& existing, const CollectSettings& s, const std::string& settings_json,
                  const std::vector<Question>& questions) {
  if (existing.records == 0) return;
  const std::string where = s.output + ": ";
  const std::string hint = "; use the settings the output was written with, or choose another -o";
  if (existing.samples != s.samples)
    throw InputError(where + "its records have " + std::to_string(existing.samples) + " samples, --samples is " +
                     std::to_string(s.samples) + hint);
  if (existing.model_name != s.model_name)
    throw InputError(where + "its records are of model '" + existing.model_name + "', this run's is '" + s.model_name +
                     "'" + hint);
  const auto before = nlohmann::json::parse(existing.settings_json);
  const auto now = nlohmann::json::parse(settings_json);
  for (const auto& [key, value] : now.items())
    if (!before.contains(key) || before[key] != value)
      throw InputError(where + "its records were collected with " + key + " = " +
                       (before.contains(key) ? before[key].dump() : std::string("(none)")) + ", this run has " +
                       value.dump() + hint);
  std::unordered_set<std::string> known;
  for (const Question& q : questions) known.insert(q.qid);
  for (const std::string& qid : existing.qids)
    if (!known.count(qid))
      throw InputError(where + "holds question '" + qid + "', which is not among the questions of " + s.questions +
                       (s.limit > 0 ? " (within --limit)" : "") + hint);
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw InputError(path + ": cannot write");
  }
  fs::rename(tmp, path);
}

class Collector {
 public:
  Collector(const CollectSettings& s, const QuestionMapping& mapping, std::vector<Question> questions,
            const ExistingOutput& existing, std::string settings_json, std::string companion, RunLogAppender& appender)
      : s_(s),
        extractor_(mapping.answers),
        questions_(std::move(questions)),
        settings_json_(std::move(settings_json)),
        client_(client_options(s)),
        appender_(appender),
        jitter_key_(
            rng::make_key(static_cast<std::uint64_t>(s.sampling.seed.value_or(0)), rng::stream_id("collect-backoff"))) {
    for (const std::string& e : s.endpoints) endpoints_.push_back(Endpoint{endpoint_url(e, s.sampling.api)});
    for (std::size_t q = 0; q < questions_.size(); ++q)
      if (!existing.qids.count(questions_[q].qid)) todo_.push_back(q);
    progress_.questions = static_cast<std::int64_t>(questions_.size());
    progress_.questions_resumed = progress_.questions - static_cast<std::int64_t>(todo_.size());
    progress_.questions_done = progress_.questions_resumed;
    progress_.samples_todo = static_cast<std::int64_t>(todo_.size()) * s.samples;
    progress_.truncated_bytes = existing.torn_bytes;
    progress_.mapping_written = std::move(companion);
  }

  CollectProgress run(const std::function<void(const CollectProgress&)>& observe, double interval) {
    const StopSignals signals;
    start_ = Clock::now();
    Clock::time_point observed = start_;
    while (true) {
      if (g_stop_signal != 0) stop_on_signal();
      const Clock::time_point now = Clock::now();
      dispatch(now);
      if (client_.in_flight() == 0 && delayed_.empty() && next_ == todo_.size()) break;
      const double wait = std::clamp(seconds_between(Clock::now(), next_timer()), 0.0, MAX_IDLE_WAIT);
      std::string lines;
      if (client_.in_flight() == 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
      } else {
        for (const HttpResult& r : client_.wait(wait)) handle(r, lines);
      }
      if (!lines.empty()) write(lines);
      if (error_) {
        client_.cancel_all();
        const std::string message = *error_ + "; " + kept() + ", continue with --resume";
        if (permanent_) throw InputError(message);
        throw CollectAborted(message);
      }
      if (observe && seconds_between(observed, Clock::now()) >= interval) {
        observed = Clock::now();
        observe(snapshot());
      }
    }
    const CollectProgress done = snapshot();
    if (observe) observe(done);
    return done;
  }

 private:
  struct Endpoint {
    std::string url;
    std::int64_t in_flight = 0;
    int failures = 0;  //!< in a row
    Clock::time_point rest_until{};
  };
  struct Task {
    std::size_t question = 0;
    std::int64_t sample = 0;
    std::int64_t attempts = 0;
    std::size_t endpoint = 0;
    Clock::time_point due{};
  };
  struct Open {
    std::vector<std::optional<CollectedSample>> samples;
    std::int64_t missing = 0;
  };
  static bool later(const Task& a, const Task& b) { return a.due > b.due; }

  static HttpClientOptions client_options(const CollectSettings& s) {
    HttpClientOptions o;
    o.timeout = s.timeout;
    o.connect_timeout = s.connect_timeout;
    o.max_connections = static_cast<long>(s.concurrency);
    if (!s.api_key_env.empty())
      o.headers.push_back("Authorization: Bearer " + std::string(std::getenv(s.api_key_env.c_str())));
    return o;
  }

  double unit(std::uint32_t a, std::uint32_t b, std::uint32_t c) const {
    const rng::Philox4x32Ctr r = rng::draw(jitter_key_, a, b, c, 0);
    return rng::to_unit_double(r.v[0], r.v[1]);
  }

  //! The endpoint with the fewest requests in flight among those not resting; nullopt when all rest.
  std::optional<std::size_t> pick_endpoint(Clock::time_point now) {
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < endpoints_.size(); ++k) {
      const std::size_t i = (rotation_ + k) % endpoints_.size();
      if (endpoints_[i].rest_until > now) continue;
      if (!best || endpoints_[i].in_flight < endpoints_[*best].in_flight) best = i;
    }
    ++rotation_;
    return best;
  }

  std::optional<Task> next_task(Clock::time_point now) {
    if (!delayed_.empty() && delayed_.front().due <= now) {
      std::pop_heap(delayed_.begin(), delayed_.end(), later);
      Task t = delayed_.back();
      delayed_.pop_back();
      return t;
    }
    if (next_ == todo_.size()) return std::nullopt;
    Task t;
    t.question = todo_[next_];
    t.sample = next_sample_++;
    if (t.sample == 0) {
      Open& open = open_[t.question];
      open.samples.resize(static_cast<std::size_t>(s_.samples));
      open.missing = s_.samples;
    }
    if (next_sample_ == s_.samples) {
      ++next_;
      next_sample_ = 0;
    }
    return t;
  }

  void dispatch(Clock::time_point now) {
    while (client_.in_flight() < static_cast<std::size_t>(s_.concurrency)) {
      const std::optional<std::size_t> endpoint = pick_endpoint(now);
      if (!endpoint) return;
      std::optional<Task> task = next_task(now);
      if (!task) return;
      task->endpoint = *endpoint;
      ++task->attempts;
      const Question& q = questions_[task->question];
      const std::int64_t seed = s_.sampling.seed ? sample_seed(*s_.sampling.seed, q.qid, task->sample) : 0;
      HttpRequest request{next_tag_, endpoints_[*endpoint].url, request_body(s_.sampling, q.prompt, seed)};
      client_.start(std::move(request));
      ++endpoints_[*endpoint].in_flight;
      in_flight_.emplace(next_tag_++, *task);
    }
  }

  //! When the loop has something to do besides answers arriving: a retry falls due while it could be sent (a free
  //! slot and an endpoint not resting), or an endpoint's rest ends; at the latest after MAX_IDLE_WAIT.
  Clock::time_point next_timer() const {
    const Clock::time_point now = Clock::now();
    Clock::time_point t = after(now, MAX_IDLE_WAIT);
    bool endpoint_free = false;
    for (const Endpoint& e : endpoints_) {
      if (e.rest_until > now)
        t = std::min(t, e.rest_until);
      else
        endpoint_free = true;
    }
    const bool slot_free = client_.in_flight() < static_cast<std::size_t>(s_.concurrency);
    if (endpoint_free && slot_free && !delayed_.empty()) t = std::min(t, delayed_.front().due);
    return t;
  }

  std::string describe(const Task& t) const {
    const Question& q = questions_[t.question];
    return "question '" + q.qid + "' (" + s_.questions + ":" + std::to_string(q.line) + "), sample " +
           std::to_string(t.sample + 1) + " of " + std::to_string(s_.samples);
  }

  std::string kept() const {
    return std::to_string(progress_.questions_done) + " of " + std::to_string(progress_.questions) +
           " questions are complete in " + s_.output;
  }

  void handle(const HttpResult& r, std::string& lines) {
    const auto node = in_flight_.extract(r.tag);
    Task task = node.mapped();
    Endpoint& endpoint = endpoints_[task.endpoint];
    --endpoint.in_flight;
    ++progress_.requests;
    Verdict v = classify(r, s_.sampling.api);
    if (v.outcome == Outcome::success) {
      endpoint.failures = 0;
      accept(task, std::move(*v.completion), lines);
      return;
    }
    if (error_) return;  // stopping: no more retries
    if (v.outcome == Outcome::fail) {
      permanent_ = true;
      error_ = describe(task) + ": the server at " + endpoint.url + " refused the request: " + v.why +
               " (a request error is not retried: check --model, --api and the sampling settings)";
      return;
    }
    ++progress_.retries;
    const bool server_side = !r.transport_ok || r.status >= 500;
    (!r.transport_ok       ? progress_.retried_transport
     : r.status == 429     ? progress_.retried_429
     : r.status >= 500     ? progress_.retried_5xx
     : r.status / 100 == 2 ? progress_.retried_malformed
                           : progress_.retried_other)++;
    if (server_side && ++endpoint.failures >= COLLECT_FAILURES_BEFORE_REST) {
      const double rest = backoff_delay(
          s_.backoff, endpoint.failures - COLLECT_FAILURES_BEFORE_REST + 1,
          unit(static_cast<std::uint32_t>(task.endpoint), static_cast<std::uint32_t>(endpoint.failures), 0xFFFFFFFFu),
          std::nullopt);
      endpoint.rest_until = std::max(endpoint.rest_until, after(Clock::now(), rest));
    }
    const double delay =
        backoff_delay(s_.backoff, static_cast<int>(task.attempts),
                      unit(static_cast<std::uint32_t>(task.question), static_cast<std::uint32_t>(task.sample),
                           static_cast<std::uint32_t>(task.attempts)),
                      r.retry_after);
    // "Too many requests", or any Retry-After: the whole endpoint waits, not only this request.
    if (r.retry_after || (r.transport_ok && r.status == 429))
      endpoint.rest_until = std::max(endpoint.rest_until, after(Clock::now(), r.retry_after.value_or(delay)));
    if (task.attempts >= s_.max_attempts) {
      error_ = describe(task) + ": gave up after " + std::to_string(task.attempts) +
               " attempts (--max-attempts); the last, at " + endpoint.url + ": " + v.why;
      return;
    }
    task.due = after(Clock::now(), delay);
    delayed_.push_back(task);
    std::push_heap(delayed_.begin(), delayed_.end(), later);
  }

  void accept(const Task& task, Completion c, std::string& lines) {
    const Question& q = questions_[task.question];
    CollectedSample sample;
    const Answer answer = extractor_.from_text(c.text);
    sample.extracted = answer.raw;
    sample.correct = extractor_.is_correct(answer, q.gold);
    sample.tokens = c.completion_tokens;
    sample.think_tokens = c.reasoning_tokens;
    sample.prompt_tokens = c.prompt_tokens;
    sample.finish_reason = std::move(c.finish_reason);
    sample.text = std::move(c.text);
    ++progress_.samples_done;
    progress_.tokens += sample.tokens;
    Open& open = open_.at(task.question);
    open.samples[static_cast<std::size_t>(task.sample)] = std::move(sample);
    if (--open.missing > 0) return;
    CollectedRecord record{q.qid, q.prompt, q.gold, s_.model_name, settings_json_, {}};
    for (auto& s : open.samples) record.samples.push_back(std::move(*s));
    open_.erase(task.question);
    lines += format_record(record);
    ++progress_.questions_done;
  }

  void write(const std::string& lines) {
    try {
      appender_.append(lines);
    } catch (const std::runtime_error& e) {
      client_.cancel_all();
      throw CollectAborted(std::string(e.what()) +
                           "; the questions written before are whole (a torn last line is cut " +
                           "on --resume); free the space and continue with --resume");
    }
  }

  [[noreturn]] void stop_on_signal() {
    client_.cancel_all();
    throw CollectAborted("stopped by signal " + std::to_string(static_cast<int>(g_stop_signal)) + "; " + kept() +
                         ", continue with --resume");
  }

  CollectProgress snapshot() {
    progress_.in_flight = static_cast<std::int64_t>(client_.in_flight());
    progress_.seconds = seconds_between(start_, Clock::now());
    return progress_;
  }

  const CollectSettings& s_;
  AnswerExtractor extractor_;
  std::vector<Question> questions_;
  std::string settings_json_;
  HttpClient client_;
  RunLogAppender& appender_;
  rng::Philox4x32Key jitter_key_;
  std::vector<Endpoint> endpoints_;
  std::size_t rotation_ = 0;
  std::vector<std::size_t> todo_;  //!< questions to collect, in file order
  std::size_t next_ = 0;           //!< the next question of todo_ to start
  std::int64_t next_sample_ = 0;
  std::vector<Task> delayed_;  //!< retries waiting for their time (a min-heap by due)
  std::unordered_map<std::uint64_t, Task> in_flight_;
  std::unordered_map<std::size_t, Open> open_;
  std::uint64_t next_tag_ = 1;
  std::optional<std::string> error_;
  bool permanent_ = false;
  CollectProgress progress_;
  Clock::time_point start_;
};

}  // namespace

CollectProgress run_collect(const CollectSettings& s, const std::function<void(const CollectProgress&)>& observe,
                            double observe_interval) {
  const QuestionMapping mapping = s.mapping.empty() ? gsm8k_question_mapping() : load_question_mapping(s.mapping);
  const PromptTemplate prompt(s.prompt_template, "--prompt-template");
  std::vector<Question> questions = read_questions(s.questions, mapping, prompt);
  if (s.limit > 0 && static_cast<std::int64_t>(questions.size()) > s.limit)
    questions.resize(static_cast<std::size_t>(s.limit));
  const std::string settings_json = collect_settings_json(s, mapping);
  RunLogAppender appender(s.output);  // holds the output's lock from here on
  const ExistingOutput existing = scan_collected_output(s.output);
  check_resume(existing, s, settings_json, questions);
  const AnswerOptions defaults;
  std::string companion;
  if (mapping.answers.rule != defaults.rule || mapping.answers.vote != defaults.vote ||
      !mapping.answers.abstain.empty() || mapping.answers.tolerance != defaults.tolerance) {
    companion = fs::path(s.output).replace_extension(".mapping.toml").string();
    write_file_atomically(companion, runlog_mapping_for(mapping));
  }
  Collector collector(s, mapping, std::move(questions), existing, settings_json, companion, appender);
  return collector.run(observe, observe_interval);
}

}  // namespace ttcg
