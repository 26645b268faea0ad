"""The same case on 1 and 2 MPI ranks: every statistics and probe column agrees to
1e-8 relative (1e-9 absolute), except timings and iteration counts."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "mpi", "consistency.prm")
run(PRM, output="out-mpi-1", ranks=1)
run(PRM, output="out-mpi-2", ranks=2)
skip = {"wall_time_s", "linear_iterations", "newton_iterations", "preconditioner_setups"}
for name in ("statistics.csv", "probes.csv"):
    one = read_csv(os.path.join("out-mpi-1", name))
    two = read_csv(os.path.join("out-mpi-2", name))
    check(set(one) == set(two), f"{name}: same columns")
    # Agreement measure: |a - b| / (1e-8 |a| + 1e-9), must be <= 1.
    worst, where = 0.0, ""
    for column in one:
        if column in skip:
            continue
        for a, b in zip(one[column], two[column]):
            measure = abs(a - b) / (1e-8 * abs(a) + 1e-9)
            if measure > worst:
                worst, where = measure, f"{column}: {a!r} vs {b!r}"
    check(worst <= 1, f"{name}: all columns agree (worst {worst:.2e} of the tolerance, {where})")
check(os.path.exists(os.path.join("out-mpi-2", "solution", "solution-00003.1.vtu")),
      "two ranks wrote their own solution pieces")
finish()
