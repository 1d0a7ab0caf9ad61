# Writes the man page ttcgames.1 with help2man: the top-level --help (name, synopsis, description, options), then a
# section per subcommand with its --help, the exit status and where the documentation is.
#   cmake -DTTCGAMES=<program> -DHELP2MAN=<help2man> -DVERSION=<x.y.z> -DOUTPUT=<ttcgames.1> -P man_page.cmake
foreach(var TTCGAMES HELP2MAN VERSION OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_page.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${TTCGAMES} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: ${TTCGAMES} --help failed (${rc})")
endif()
# Subcommands: the lines "  <name>  <description>" after "Subcommands:".
string(FIND "${top}" "Subcommands:" at)
if(at LESS 0)
  message(FATAL_ERROR "man_page.cmake: no 'Subcommands:' in ${TTCGAMES} --help")
endif()
string(SUBSTRING "${top}" ${at} -1 listing)
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*" names "${listing}")

# Roff-safe text: backslashes escaped, lines starting with . or ' protected.
function(roff_text text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(include "[SUBCOMMANDS]\nEvery subcommand has its own options (ttcgames <subcommand> --help):\n")
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  execute_process(COMMAND ${TTCGAMES} ${name} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "man_page.cmake: ${TTCGAMES} ${name} --help failed (${rc})")
  endif()
  roff_text("${help}" help)
  string(APPEND include ".SS ${name}\n.nf\n${help}.fi\n")
endforeach()
string(APPEND include "[EXIT STATUS]
.TP
0
success
.TP
1
bad input: the message names the file:line or key and what would be valid; no output file is left behind
.TP
2
bad command-line usage
.TP
3
internal error
.TP
75
stopped early by \\-\\-time\\-limit or \\-\\-max\\-units with a consistent checkpoint (continue with \\-\\-resume)
[SEE ALSO]
The documentation in share/doc/ttcgames: README.md, model.md (the model), scenario.md (scenario files),
hdf5\\-format.md (result files), cli.md (commands and installation), python.md (reading results in Python),
cluster.md (MPI runs and checkpoints), runlog\\-mapping.md (run-log layouts).
The Python package and the figures script are in share/ttcgames.
")
get_filename_component(dir "${OUTPUT}" DIRECTORY)
set(include_file "${dir}/ttcgames.h2m")
file(WRITE "${include_file}" "${include}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --version-string=${VERSION} --section=1 --include=${include_file}
          "--name=equilibria, social optima, prices of anarchy and auctions of test-time compute markets"
          --output=${OUTPUT}.tmp ${TTCGAMES}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed (${rc}): ${err}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
