// Tallies and histograms in byte archives (archive.hpp): the block results of the Monte Carlo stages (ensembles,
// populations) travel between MPI ranks and into checkpoints with their sums bit for bit, so that merging decoded
// blocks gives the same result as merging the computed ones.
#pragma once

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/tally.hpp"

namespace ttcg {

inline void put_tally(ArchiveWriter& w, const Tally& t) {
  w.put(t.count);
  w.put(t.sum);
  w.put(t.sum_sq);
  w.put(t.min);
  w.put(t.max);
}

inline Tally get_tally(ArchiveReader& r) {
  Tally t;
  t.count = r.get<std::int64_t>();
  t.sum = r.get<double>();
  t.sum_sq = r.get<double>();
  t.min = r.get<double>();
  t.max = r.get<double>();
  return t;
}

inline void put_histogram(ArchiveWriter& w, const Histogram& h) {
  w.put(h.lo);
  w.put(h.hi);
  w.put(h.counts);
  w.put(h.underflow);
  w.put(h.overflow);
}

inline Histogram get_histogram(ArchiveReader& r) {
  Histogram h;
  h.lo = r.get<double>();
  h.hi = r.get<double>();
  h.counts = r.get_vector<std::int64_t>();
  h.underflow = r.get<std::int64_t>();
  h.overflow = r.get<std::int64_t>();
  return h;
}

//! Whether a decoded tally can hold at most `values` values (0 ≤ count ≤ values): what a block's checks ask of
//! every tally before it is merged, so that counts summed over blocks cannot overflow.
inline bool counts_within(const Tally& t, std::int64_t values) {
  return t.count >= 0 && t.count <= values;
}

//! Whether a decoded histogram can hold at most `values` values: every count (bins, underflow, overflow) ≥ 0 and
//! their total ≤ values.
inline bool counts_within(const Histogram& h, std::int64_t values) {
  std::int64_t total = 0;
  const auto add = [&](std::int64_t c) {
    if (c < 0 || c > values - total) return false;
    total += c;
    return true;
  };
  for (const std::int64_t c : h.counts)
    if (!add(c)) return false;
  return add(h.underflow) && add(h.overflow);
}

}  // namespace ttcg
