"""Transient Pennes, manufactured solution on a cube.
  space Q1|Q2: L2 error at t = 50 s over four meshes, order 2 (Q1) / 3 (Q2) +- 0.2, with a
               BDF2 step small enough (1 s / 0.5 s) that the time error stays below 5%;
  time:        Q2 on h = L/16, BDF2 and backward Euler with dt = 20, 10, 5, 2.5 s to
               t = 40 s: orders 2 and 1 +- 0.2."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "verification", "transient_mms.prm")


def error(label, overrides):
    output = f"out-mms-{label}"
    run(PRM, overrides, output=output)
    table = read_csv(os.path.join(output, "errors.csv"))
    return table["L2_error"][-1], int(table["n_dofs"][-1])


mode = sys.argv[1]
if mode in ("Q1", "Q2"):
    degree = int(mode[1])
    levels = [0, 1, 2, 3]
    # Q1 starts from 3x3x3 coarse cells (h = L/3 ... L/24), Q2 from 2x2x2 (L/2 ... L/16).
    cells = 3 if degree == 1 else 2
    base = [f"Heat/Finite element degree={degree}", f"Mesh/Box/Subdivisions={cells},{cells},{cells}"]
    step = "1" if degree == 1 else "0.5"
    errors = []
    for level in levels:
        e, dofs = error(f"{mode}-{level}", base + [f"Mesh/Global refinements={level}",
                                                   f"Heat/Time step={step}"])
        errors.append(e)
        print(f"h = L/{cells * 2 ** level}: {dofs} dofs, L2 error {e:.4e}")
    observed = orders(errors)
    print("L2 orders:", " ".join(f"{o:.3f}" for o in observed))
    p = degree + 1
    check(abs(observed[-1] - p) <= 0.2, f"asymptotic L2 order {observed[-1]:.3f} = {p} +- 0.2")
    check(all(o >= p - 0.3 for o in observed), f"every L2 order >= {p - 0.3}")
    # The time error at the finest mesh: the same run with half the step.
    e_half, _ = error(f"{mode}-{levels[-1]}-half", base + [f"Mesh/Global refinements={levels[-1]}",
                                                           f"Heat/Time step={float(step) / 2}"])
    check(abs(errors[-1] - e_half) <= 0.05 * errors[-1],
          f"time error at the finest mesh is small: {errors[-1]:.4e} vs {e_half:.4e} with dt/2")
elif mode == "time":
    for scheme, p in (("bdf2", 2), ("backward euler", 1)):
        errors = []
        for dt in (20, 10, 5, 2.5):
            e, _ = error(f"time-{scheme.replace(' ', '-')}-{dt}",
                         ["Heat/Finite element degree=2", "Mesh/Global refinements=3",
                          f"Heat/Time stepping={scheme}", f"Heat/Time step={dt}",
                          "Treatment schedule/End time=40", "Output/Output interval=40"])
            errors.append(e)
        observed = orders(errors)
        print(f"{scheme}: L2 errors", " ".join(f"{e:.4e}" for e in errors),
              "orders", " ".join(f"{o:.3f}" for o in observed))
        check(abs(observed[-1] - p) <= 0.2, f"{scheme} time order {observed[-1]:.3f} = {p} +- 0.2")
        check(all(abs(o - p) <= 0.25 for o in observed), f"{scheme}: every order = {p} +- 0.25")
else:
    sys.exit("usage: transient_mms.py Q1|Q2|time")
finish()
