#include "ttcgames/core/interrupt.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "ttcgames/core/exit_status.hpp"

namespace ttcg::interrupt {
namespace {

enum class Kind : int { temporary, checkpoint };

struct Slot {
  std::atomic<const char*> path{nullptr};
  std::atomic<int> kind{0};
};

constexpr int SLOTS = 64;
std::array<Slot, SLOTS> slots;
std::array<std::string, SLOTS> owned;  // the strings the slots point to; changed only under `lock`
std::mutex lock;
std::atomic<int> pending{0};

void say(const char* text) noexcept {
  const std::size_t length = std::strlen(text);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t w = ::write(STDERR_FILENO, text + done, length - done);
    if (w <= 0) return;
    done += static_cast<std::size_t>(w);
  }
}

const char* signal_name(int signal) noexcept {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

extern "C" void on_signal(int signal) {
  int expected = 0;
  if (!pending.compare_exchange_strong(expected, signal)) return;  // a second signal while ending: ignore
  say("\nttcgames: interrupted by ");
  say(signal_name(signal));
  say("\n");
  for (Slot& s : slots) {
    const char* path = s.path.load();
    if (path == nullptr) continue;
    if (s.kind.load() == static_cast<int>(Kind::temporary)) {
      ::unlink(path);
    } else {
      say("ttcgames: checkpoint kept: ");
      say(path);
      say("\nttcgames: continue the run with the same command and --resume\n");
    }
  }
  ::_exit(exit_status::INTERRUPTED_BASE + signal);
}

int add(const std::string& path, Kind kind) {
  std::lock_guard<std::mutex> guard(lock);
  for (int i = 0; i < SLOTS; ++i) {
    if (slots[i].path.load() != nullptr) continue;
    owned[i] = path;
    slots[i].kind.store(static_cast<int>(kind));
    slots[i].path.store(owned[i].c_str());
    return i;
  }
  throw std::length_error("interrupt: more than 64 temporary files registered at once");
}

}  // namespace

void install_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&action.sa_mask, s);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &action, nullptr);
}

int register_temporary(const std::string& path) {
  return add(path, Kind::temporary);
}
int register_checkpoint(const std::string& path) {
  return add(path, Kind::checkpoint);
}

void forget(int slot) noexcept {
  if (slot < 0 || slot >= SLOTS) return;
  std::lock_guard<std::mutex> guard(lock);
  slots[slot].path.store(nullptr);
  owned[slot].clear();
}

int pending_signal() noexcept {
  return pending.load();
}

}  // namespace ttcg::interrupt
