#include "ttcgames/inference/runlog_writer.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ttcgames/core/error.hpp"

namespace ttcg {

namespace {

namespace dom = simdjson::dom;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

}  // namespace

std::string format_record(const CollectedRecord& r) {
  Json answers = Json::array(), correct = Json::array(), tokens = Json::array(), rewards = Json::array(),
       extracted = Json::array(), finish = Json::array(), prompt_tokens = Json::array();
  for (const CollectedSample& s : r.samples) {
    answers.push_back(s.text);
    correct.push_back(s.correct);
    if (s.think_tokens)
      tokens.push_back(Json::array({*s.think_tokens, s.tokens}));
    else
      tokens.push_back(s.tokens);
    rewards.push_back(nullptr);
    extracted.push_back(s.extracted ? Json(*s.extracted) : Json(nullptr));
    finish.push_back(s.finish_reason);
    prompt_tokens.push_back(s.prompt_tokens ? Json(*s.prompt_tokens) : Json(nullptr));
  }
  Json record;
  record["qid"] = r.qid;
  record["prompt"] = r.prompt;
  record["answers"] = std::move(answers);
  record["correct"] = std::move(correct);
  record["num_tokens"] = std::move(tokens);
  record["rewards"] = std::move(rewards);
  record["ground_truths"] = Json::array({r.gold});
  record["model_name"] = r.model_name;
  record["reward_model_name"] = nullptr;
  record["extracted"] = std::move(extracted);
  record["finish_reasons"] = std::move(finish);
  record["prompt_tokens"] = std::move(prompt_tokens);
  record["settings"] = Json::parse(r.settings_json);
  return record.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

ExistingOutput scan_collected_output(const std::string& path) {
  ExistingOutput out;
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  if (fs::is_directory(path, ec)) throw InputError(path + ": is a directory, not a run-log file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open (" + std::string(std::strerror(errno)) + ")");
  dom::parser parser;
  std::string line;
  std::int64_t number = 0;
  std::uintmax_t complete_bytes = 0;  // bytes of whole lines
  while (std::getline(in, line)) {
    if (in.eof()) {  // the last line has no newline: torn by a crash while it was being written
      out.torn_bytes = static_cast<std::int64_t>(line.size());
      break;
    }
    ++number;
    complete_bytes += line.size() + 1;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    const std::string expected =
        " (is this file the output of ttcgames collect? continue it only with the settings "
        "it was written with, or choose another -o)";
    dom::element record;
    if (parser.parse(line).get(record)) throw InputError(where + ": not valid JSON" + expected);
    std::string_view qid, model;
    dom::array answers;
    dom::object settings;
    if (record["qid"].get(qid) || record["answers"].get(answers) || record["model_name"].get(model) ||
        record["settings"].get(settings))
      throw InputError(where + ": not a collected record: it needs qid, answers, model_name and settings" + expected);
    const auto samples = static_cast<std::int64_t>(answers.size());
    if (out.records == 0) {
      out.model_name = std::string(model);
      out.settings_json = simdjson::minify(settings);
      out.samples = samples;
    } else if (samples != out.samples) {
      throw InputError(where + ": " + std::to_string(samples) + " samples, but the first record has " +
                       std::to_string(out.samples) + expected);
    } else if (model != out.model_name) {
      throw InputError(where + ": model_name '" + std::string(model) + "', but the first record has '" +
                       out.model_name + "'" + expected);
    }
    if (!out.qids.emplace(qid).second)
      throw InputError(where + ": duplicate qid '" + std::string(qid) + "'" + expected);
    ++out.records;
  }
  if (in.bad()) throw InputError(path + ": read error");
  in.close();
  if (out.torn_bytes > 0) fs::resize_file(path, complete_bytes);
  return out;
}

RunLogAppender::RunLogAppender(const std::string& path) : path_(path) {
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(path + ": cannot open for writing (" + std::string(std::strerror(errno)) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    throw InputError(path + (error == EWOULDBLOCK ? ": another ttcgames collect is writing it; wait for it or stop it"
                                                  : ": cannot lock (" + std::string(std::strerror(error)) + ")"));
  }
  // The new file's directory entry must be durable too.
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

RunLogAppender::~RunLogAppender() {
  if (fd_ >= 0) ::close(fd_);
}

void RunLogAppender::append(const std::string& lines) {
  std::size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  while (::fdatasync(fd_) != 0)
    if (errno != EINTR) throw std::runtime_error(path_ + ": fdatasync failed: " + std::strerror(errno));
}

}  // namespace ttcg
