# Tests of tests/adaptivity (included from tests/CMakeLists.txt): adaptive refinement of
# the heated sphere against uniform refinement, balances and ranks with every layer on,
# conservation of refinement on a flat mesh.
ferrotherm_test(adaptivity/heated_sphere adaptivity/adaptivity.py sphere)
ferrotherm_test(adaptivity/balance_1_rank adaptivity/adaptivity.py balance 1)
ferrotherm_test(adaptivity/balance_2_ranks adaptivity/adaptivity.py balance 2 PROCESSORS 2)
ferrotherm_test(adaptivity/flat adaptivity/adaptivity.py flat)
ferrotherm_test(adaptivity/immunotherapy adaptivity/adaptivity.py immunotherapy PROCESSORS 2)
