// Tallies and histograms in byte archives (archive.hpp): the block results of the Monte Carlo stages (ensembles,
// populations) travel between MPI ranks and into checkpoints with their sums bit for bit, so that merging decoded
// blocks gives the same result as merging the computed ones.
#pragma once

#include "ttcgames/archive.hpp"
#include "ttcgames/tally.hpp"

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

}  // namespace ttcg
