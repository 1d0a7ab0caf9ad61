// Fuzz target: reading result files back (`ttcgames summary`, a population's per-question tables): the input is the
// file's raw bytes. Most mutations meet the HDF5 library's own checks; the structure-aware target
// (fuzz_results_structure.cpp) reaches the project's validation with files HDF5 accepts.
#include <sstream>

#include "fuzz_support.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/run/file_summary.hpp"
#include "ttcgames/run/results.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ttcg::fuzz::scratch_file("results.h5", ttcg::fuzz::text_of(data, size));
  try {
    std::ostringstream out;
    ttcg::print_result_file_summary(out, ttcg::read_result_file_summary(path));
  } catch (const ttcg::InputError&) {
  }
  try {
    std::vector<std::pair<std::string, std::string>> tables;
    {
      const ttcg::h5::File file = ttcg::open_results_file(path);
      const ttcg::h5::Group root = file.root();
      if (root.exists("curves"))
        for (const std::string& dataset : root.open_group("curves").list())
          for (const std::string& method : root.open_group("curves/" + dataset).list())
            tables.emplace_back(dataset, method);
    }
    for (const auto& [dataset, method] : tables) {
      try {
        ttcg::read_question_tables(path, dataset, method);
      } catch (const ttcg::InputError&) {
      }
    }
  } catch (const ttcg::InputError&) {
  }
  return 0;
}
