# Tests of tests/fuzz (included from tests/CMakeLists.txt).
# 240 seeded mutations of prm/demo.prm, prm/tissues.csv and tests/data/two-blocks.msh
# through --validate: every one must end in exit 0 or one clean message (no crash, no
# hang). Failing inputs are kept in work/fuzz/validate/fuzz-failures/.
ferrotherm_test(fuzz/validate fuzz/fuzz_validate.py --seed 8 --cases 240 --timeout 15)
set_tests_properties(fuzz/validate PROPERTIES TIMEOUT 600)
# A few of the mutations (seed 9) also on 2 ranks: bad input must not deadlock under MPI.
ferrotherm_test(fuzz/validate_2_ranks fuzz/fuzz_validate.py --seed 9 --cases 12 --mpi-cases 12
  --timeout 30 PROCESSORS 2)
# Saved meshes (Mesh/Model = saved, tests/fuzz/two-blocks.ftmesh): 60 mutations (a few on
# 2 ranks), each a valid mesh or one clean message.
ferrotherm_test(fuzz/saved_mesh fuzz/fuzz_validate.py --saved-mesh --seed 10 --cases 60
  --mpi-cases 6 --timeout 30 PROCESSORS 2)
