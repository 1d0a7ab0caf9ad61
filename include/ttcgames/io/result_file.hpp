// The identity of a ttcgames result file (HDF5, format "ttcgames-results", specified in docs/hdf5-format.md): the
// format name and version, the root attributes every file starts with (whatever stage writes its groups: market
// sweeps, curves, populations, ensembles), and opening a file for reading with its format checked.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/io/h5.hpp"

namespace ttcg {

constexpr const char* RESULTS_FORMAT = "ttcgames-results";
//! 2.0: one statistics schema (io/statistic_group.hpp) for populations and ensembles, Student-t intervals, the
//! converged / non_converged counts, and netCDF-4 dimensions on every array (dimension scales, the coordinate
//! variables `provider` and `quantile`, dimensions without coordinate values), for xarray. (1.1 added /population and
//! /ensemble; 1.2 the `seconds`, `enumeration_algorithm` and `beta_values` as a dataset.)
constexpr int RESULTS_FORMAT_MAJOR = 2;
constexpr int RESULTS_FORMAT_MINOR = 0;
//! The oldest major version the readers accept (version 1 files: their statistics are read with the v1 names).
constexpr int RESULTS_FORMAT_OLDEST_MAJOR = 1;

//! Run-level facts recorded as root attributes.
struct RunInfo {
  std::string backend = "cpu";
  int threads = 1;
  int ranks = 1;
  std::string command_line;
};

//! Root attributes of every result file (docs/hdf5-format.md, "Root attributes"). Other stages (curves, populations,
//! ensembles) write their groups into a file that starts with these.
void write_root_attributes(h5::Group& root, const RunInfo& info, std::uint64_t seed, const std::string& scenario_toml);

//! Opens a file for reading as a ttcgames result file: InputError unless its root attributes say format
//! "ttcgames-results" with a major version from RESULTS_FORMAT_OLDEST_MAJOR to RESULTS_FORMAT_MAJOR (a newer minor
//! version reads: it only adds). `major`, when given, receives the file's major version.
h5::File open_results_file(const std::string& path, int* major = nullptr);

}  // namespace ttcg
