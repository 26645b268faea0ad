# Tests of tests/run (included from tests/CMakeLists.txt): run status (status.json, the
# output-directory lock, SIGTERM, kill -9, failures, a full disk), one message per error,
# the parameter file itself and --validate.
set(RUN ${CMAKE_CURRENT_SOURCE_DIR}/run)
foreach(case completed failed sigterm kill9 lock disk_full messages)
  ferrotherm_test(run/status_${case} run/run_status.py ${case} PROCESSORS 2)
endforeach()
foreach(case validate bom xml)
  ferrotherm_test(run/input_${case} run/inputs.py ${case} PROCESSORS 2)
endforeach()
ferrotherm_test(run/empty_parameter_file expect_error.py --ranks 2
  --regex "input error: .*empty.prm: the parameter file is empty" -- ${RUN}/empty.prm PROCESSORS 2)
ferrotherm_test(run/directory_as_parameter_file expect_error.py --ranks 2
  --regex "input error: .*/run: is a directory, not a parameter file" -- ${RUN} PROCESSORS 2)
