# Tests of tests/checkpoint (included from tests/CMakeLists.txt): restart after kill -9 at
# a random moment on the same and on a different number of ranks (at the default and at
# tight solver tolerances), from the basal phase, SIGTERM, parameter
# checks at a restart, an unwritable checkpoint.
ferrotherm_test(checkpoint/kill9_1_to_1 checkpoint/restart.py kill9 1 1)
ferrotherm_test(checkpoint/kill9_2_to_2 checkpoint/restart.py kill9 2 2 PROCESSORS 2)
ferrotherm_test(checkpoint/kill9_1_to_2 checkpoint/restart.py kill9 1 2 PROCESSORS 2)
ferrotherm_test(checkpoint/kill9_2_to_1 checkpoint/restart.py kill9 2 1 PROCESSORS 2)
ferrotherm_test(checkpoint/kill9_1_to_2_tight checkpoint/restart.py kill9 1 2 tight PROCESSORS 2)
ferrotherm_test(checkpoint/kill9_2_to_1_tight checkpoint/restart.py kill9 2 1 tight PROCESSORS 2)
foreach(case basal sigterm parameters unwritable)
  ferrotherm_test(checkpoint/${case} checkpoint/restart.py ${case})
endforeach()
ferrotherm_test(checkpoint/kill9_immunotherapy_1_to_1 checkpoint/restart.py kill9 1 1 immunotherapy)
ferrotherm_test(checkpoint/kill9_immunotherapy_2_to_1 checkpoint/restart.py kill9 2 1 immunotherapy PROCESSORS 2)
