#include "ttcgames/run/work_units.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>

#include "ttcgames/core/error.hpp"

namespace ttcg {

namespace {

constexpr int UNITS_PER_THREAD_PER_WAVE = 8;
//! Waves of small across_units work grow towards this duration (seconds): each wave ends a parallel region (where
//! idle OpenMP threads spin) and syncs the journal, so a sub-millisecond unit must not make its own short wave.
constexpr double WAVE_TARGET_SECONDS = 0.5;
//! A wave grows at most by this factor over the previous one.
constexpr double WAVE_MAX_GROWTH = 16.0;

//! The next wave's size: towards WAVE_TARGET_SECONDS, at most WAVE_MAX_GROWTH times the last, never below the first,
//! and never past what the unit budget leaves (so --max-units stops where it did with fixed waves).
std::size_t next_wave(std::size_t wave, std::size_t first, double seconds, std::uint64_t budget_left) {
  const double growth = seconds > 0.0 ? std::min(WAVE_MAX_GROWTH, WAVE_TARGET_SECONDS / seconds) : WAVE_MAX_GROWTH;
  std::size_t next = std::max(first, static_cast<std::size_t>(static_cast<double>(wave) * std::max(growth, 1.0)));
  if (budget_left < next) next = std::max<std::size_t>(first, static_cast<std::size_t>(budget_left));
  return next;
}

//! What a failed unit said: the exception's message, marked when it was not an error of input or at run time.
std::string failure_message(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("internal error: ") + e.what() + " (please report this)";
  } catch (...) {
    return "internal error: an unknown exception (please report this)";
  }
}

//! A rank's wave: its failure message ("" when none), then its results.
Bytes pack_results(const std::string& failure, const std::vector<std::uint64_t>& units,
                   const std::vector<Bytes>& results) {
  ArchiveWriter w;
  w.put(failure);
  w.put<std::uint64_t>(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    w.put<std::uint64_t>(units[i]);
    w.put(results[i]);
  }
  return w.take();
}

//! Adds a rank's results to `into`; returns its failure message ("" when none).
std::string unpack_results(const Bytes& packed, std::map<std::uint64_t, Bytes>& into) {
  ArchiveReader r(packed, "work-unit results from a rank");
  std::string failure = r.get_string();
  const auto n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto unit = r.get<std::uint64_t>();
    into.emplace(unit, r.get_bytes());
  }
  r.finish();
  return failure;
}

}  // namespace

std::vector<std::uint64_t> assigned_units(const std::vector<std::uint64_t>& pending, int rank, int ranks) {
  std::vector<std::uint64_t> mine;
  for (std::size_t i = static_cast<std::size_t>(rank); i < pending.size(); i += static_cast<std::size_t>(ranks))
    mine.push_back(pending[i]);
  return mine;
}

UnitOutcome execute_units(const Communicator& comm, const UnitWork& work, UnitControl& control) {
  const auto start = std::chrono::steady_clock::now();
  UnitOutcome outcome;
  std::map<std::uint64_t, Bytes> done;  // rank 0

  // Rank 0 knows what the journal holds; everyone learns the pending list from it.
  std::vector<std::uint64_t> pending;
  if (comm.is_root()) {
    for (auto it = control.resumed.lower_bound(work.first_unit);
         it != control.resumed.end() && it->first - work.first_unit < work.count;) {
      done.emplace(it->first - work.first_unit, std::move(it->second));
      it = control.resumed.erase(it);
    }
    for (std::uint64_t u = 0; u < work.count; ++u)
      if (!done.count(u)) pending.push_back(u);
  }
  {
    ArchiveWriter w;
    w.put(pending);
    const Bytes shared = comm.broadcast(w.take());
    ArchiveReader r(shared, "pending work units");
    pending = r.get_vector<std::uint64_t>();
  }
  outcome.resumed = work.count - pending.size();

  const std::vector<std::uint64_t> mine = assigned_units(pending, comm.rank(), comm.size());
  const std::size_t first_wave = work.wave > 0 ? static_cast<std::size_t>(work.wave)
                                 : work.parallelism == UnitParallelism::across_units
                                     ? static_cast<std::size_t>(UNITS_PER_THREAD_PER_WAVE * omp_get_max_threads())
                                     : 1;
  const bool adaptive = work.wave == 0 && work.parallelism == UnitParallelism::across_units;
  std::size_t wave = first_wave;
  const std::size_t per_rank =
      (pending.size() + static_cast<std::size_t>(comm.size()) - 1) / static_cast<std::size_t>(comm.size());
  if (comm.is_root() && control.progress) control.progress(outcome.resumed, work.count);

  // A budget already spent (by earlier parts of the run) stops before the first wave.
  bool stopped = comm.broadcast(comm.is_root() && !pending.empty() &&
                                (control.max_new_units == 0 || control.time_limit_seconds <= 0.0));
  for (std::size_t offset = 0; offset < per_rank && !stopped;) {
    const auto wave_start = std::chrono::steady_clock::now();
    const std::size_t lo = std::min(mine.size(), offset);
    const std::size_t hi = std::min(mine.size(), lo + wave);
    offset += wave;
    std::vector<std::uint64_t> units(mine.begin() + static_cast<std::ptrdiff_t>(lo),
                                     mine.begin() + static_cast<std::ptrdiff_t>(hi));
    std::vector<Bytes> results(units.size());
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto run_one = [&](std::size_t i) {
      try {
        results[i] = work.compute(units[i]);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    };
    if (work.parallelism == UnitParallelism::across_units) {
#pragma omp parallel for schedule(dynamic, 1)
      for (std::size_t i = 0; i < units.size(); ++i) run_one(i);
    } else {
      for (std::size_t i = 0; i < units.size(); ++i) run_one(i);
    }
    // A failed unit ends the run on every rank alike: its message reaches rank 0 with the wave's results and is
    // broadcast, so that every rank throws JobError and none is left waiting in a collective.
    const std::vector<Bytes> gathered =
        comm.gather(pack_results(failure ? failure_message(failure) : std::string(), units, results));
    bool stop = false;
    std::string error;
    std::map<std::uint64_t, Bytes> wave_results;
    if (comm.is_root())
      for (std::size_t rank = 0; rank < gathered.size(); ++rank) {
        std::string message = unpack_results(gathered[rank], wave_results);
        if (error.empty() && !message.empty())
          error = comm.size() > 1 ? "rank " + std::to_string(rank) + ": " + message : message;
      }
    {
      ArchiveWriter message;
      message.put(error);
      const Bytes shared = comm.broadcast(message.take());
      ArchiveReader r(shared, "work-unit failure");
      error = r.get_string();
    }
    if (!error.empty()) throw JobError(error);
    std::uint64_t next = wave;
    if (comm.is_root()) {
      for (auto& [unit, bytes] : wave_results) {
        if (control.journal) control.journal->append(work.first_unit + unit, bytes);
        done.emplace(unit, std::move(bytes));
      }
      if (control.journal) control.journal->sync();
      outcome.computed += wave_results.size();
      if (control.progress) control.progress(done.size(), work.count);
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      stop = offset < per_rank && (elapsed >= control.time_limit_seconds || outcome.computed >= control.max_new_units);
      if (adaptive) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wave_start).count();
        const std::uint64_t budget_left =
            control.max_new_units > outcome.computed ? control.max_new_units - outcome.computed : 0;
        const std::uint64_t ranks = static_cast<std::uint64_t>(comm.size());
        next = next_wave(wave, first_wave, seconds, (budget_left + ranks - 1) / ranks);
      }
    }
    ArchiveWriter decision;  // rank 0 decides for every rank: stop, and the next wave's size
    decision.put<std::uint8_t>(stop);
    decision.put<std::uint64_t>(next);
    const Bytes shared_decision = comm.broadcast(decision.take());
    ArchiveReader decided(shared_decision, "wave decision");
    if (decided.get<std::uint8_t>() != 0) {
      stopped = true;
      break;
    }
    wave = static_cast<std::size_t>(decided.get<std::uint64_t>());
  }

  outcome.complete = !stopped;
  if (comm.is_root() && outcome.complete) {
    outcome.results.reserve(work.count);
    for (auto& [unit, bytes] : done) outcome.results.push_back(std::move(bytes));
  }
  return outcome;
}

}  // namespace ttcg
