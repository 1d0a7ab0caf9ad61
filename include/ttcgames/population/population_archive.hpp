// Bit-exact archives of a population's block results (core/archive.hpp): the partial sums of demand, utilities
// and realized outcomes of one block of users, as MPI ranks send them and checkpoint journals keep them.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/population/population.hpp"

namespace ttcg {

//! Bit-exact archives of block results (archive.hpp), for spreading blocks over MPI ranks and checkpointing them:
//! a decoded block equals the computed one bit for bit, so merging decoded blocks in order gives the same result.
//! Decoding checks the block against what it must hold (n providers, K levels, the histogram ranges, at most `users`
//! users counted): InputError for a damaged or foreign archive, never a block that merging would overrun.
Bytes encode_demand_block(const DemandSums& sums);
DemandSums decode_demand_block(const Bytes& bytes, int n);
Bytes encode_utility_block(const UtilitySums& sums);
UtilitySums decode_utility_block(const Bytes& bytes, std::size_t levels);
Bytes encode_outcome_block(const OutcomeTallies& tallies);
OutcomeTallies decode_outcome_block(const Bytes& bytes, const std::string& what, int n, const HistogramRanges& ranges,
                                    std::int64_t users);

}  // namespace ttcg
