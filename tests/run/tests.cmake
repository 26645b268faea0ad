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
expect_error_test(run/empty_parameter_file
  "input error: .*empty.prm: the parameter file is empty" ${RUN}/empty.prm)
expect_error_test(run/directory_as_parameter_file
  "input error: .*/run: is a directory, not a parameter file" ${RUN})
