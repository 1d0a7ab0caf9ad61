// `ttcgames runlog-info`: what a read of run logs keeps and skips.
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "ttcgames/inference/field_mapping.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace ttcg::cli {
namespace {

struct RunlogInfoOptions {
  std::vector<std::string> files;
  std::string mapping;
  bool strict = false;
  int threads = 0;
};

}  // namespace

Command add_runlog_info_command(CLI::App& app) {
  auto o = std::make_shared<RunlogInfoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "runlog-info", "Read run logs (reference JSONL, or any layout through a field mapping) and print what was read");
  cmd->add_option("files", o->files, "Run-log files of one model (.jsonl, .json; .gz and .zst too; - for stdin)")
      ->required();
  cmd->add_option("--mapping", o->mapping, "Field mapping (TOML, docs/runlog-mapping.md); default: reference layout");
  cmd->add_flag("--strict", o->strict, "Stop at the first malformed record instead of skipping it");
  cmd->add_option("--threads", o->threads, "OpenMP threads for parsing (default: all)")
      ->check(integer_range(1, MAX_THREADS));
  return {cmd, [o](const Invocation&) {
            RunLogOptions read;
            if (!o->mapping.empty()) read.mapping = load_field_mapping(o->mapping);
            read.strictness = o->strict ? Strictness::strict : Strictness::skip_malformed;
            read.threads = o->threads;
            print_runlog_info(std::cout, read_runlog(o->files, read));
            return 0;
          }};
}

}  // namespace ttcg::cli
