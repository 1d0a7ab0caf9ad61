// The curves of a set of run logs as a stage of a run (`ttcgames curves`): every log (one model) is one work unit
// (log_curves: its curves under every method of the plan that covers it, one permutation pass for all its
// sample-count methods, in parallel or on the GPU), merged in log order into the methods' curves and written to
// /curves/<dataset>/<method> (docs/hdf5-format.md). One log's curves depend only on the log, the plan and the
// options, so the file is the same for any thread count, rank count, backend or resume history.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ttcgames/inference/curves.hpp"
#include "ttcgames/run/stage.hpp"

namespace ttcg {

//! A curves job: the run logs (read once), the checked plan of what to compute and how, and what the result file
//! records. Built by the `curves` command; the RunJob that holds it owns it.
struct CurvesJob {
  std::string dataset;  //!< the /curves/<dataset> group
  std::vector<RunLog> logs;
  CurvesPlan plan;  //!< plan_curves(logs, methods, options)
  CurveOptions options;
  std::string settings_toml;  //!< the root `scenario` attribute: the curves settings as TOML
  //! (path, role) of every file read (the logs, the mapping), checked against the outputs ("-": standard input).
  std::vector<std::pair<std::string, std::string>> input_files;
};

class CurvesStage final : public Stage {
 public:
  //! InputError when the plan has no method or does not match the logs.
  explicit CurvesStage(CurvesJob job);

  const CurvesJob& job() const { return job_; }

  std::string label() const override { return job_.dataset + " curves"; }
  std::string unit_name() const override { return "run logs"; }
  UnitWork work() const override;
  void check(std::uint64_t unit, const Bytes& payload) const override { decode(unit, payload); }
  void merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const override;
  void write(h5::Group& root, const RunResults& results) const override;
  void add_needs(ResourceNeeds& needs) const override;

  //! Log `unit`'s curves, decoded and checked against the unit (the model, its methods, θ and the shapes);
  //! InputError naming the unit otherwise.
  std::vector<ModelCurve> decode(std::uint64_t unit, const Bytes& bytes) const;
  //! A digest of every number of the logs (for the job's fingerprint: a resumed job must read the same logs).
  std::string logs_digest() const;

 private:
  CurvesJob job_;
};

//! Bit-exact encoding of a curves unit's result, log `unit`'s curves (work-unit results, checkpoints): every number
//! of each ModelCurve, its per-question table included.
Bytes encode_log_curves(std::uint64_t unit, const std::vector<ModelCurve>& curves);
//! Decodes what encode_log_curves wrote; InputError naming `what` when the archive is damaged or holds another
//! unit than `unit`.
std::vector<ModelCurve> decode_log_curves(const Bytes& bytes, const std::string& what, std::uint64_t unit);

}  // namespace ttcg
