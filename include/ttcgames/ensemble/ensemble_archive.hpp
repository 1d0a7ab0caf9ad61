// Bit-exact archives of an ensemble's block results (core/archive.hpp): what an MPI rank sends to rank 0 and a
// checkpoint journal keeps per block.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/ensemble/ensemble.hpp"

namespace ttcg {

//! Bit-exact byte archive of a block's result (archive.hpp): what an MPI rank sends to rank 0 or a checkpoint
//! journal stores per block; decoding gives back the identical result, NaN payloads included. Decoding checks the
//! result against block `block` of `problem` (its markets, record columns, histogram binnings, thresholds):
//! InputError naming `what` for a damaged or foreign archive.
Bytes encode_ensemble_block(const EnsembleBlockResult& block);
EnsembleBlockResult decode_ensemble_block(const Bytes& bytes, const std::string& what, const EnsembleProblem& problem,
                                          std::int64_t block);

}  // namespace ttcg
