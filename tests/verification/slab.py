"""Steady 1D Pennes slab against the cosh solution: L2 order 2 (Q1) / 3 (Q2) +- 0.2 over
four meshes, and T at x = L/4, L/2, L on the finest mesh against the reference values."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

degree = int(sys.argv[1])
errors = []
for level in range(4):
    output = f"out-slab-q{degree}-{level}"
    run(os.path.join(HERE, "verification", "slab.prm"),
        [f"Heat/Finite element degree={degree}", f"Mesh/Global refinements={level}"], output=output)
    errors.append(read_csv(os.path.join(output, "errors.csv"))["L2_error"][-1])
    print(f"h = L/{8 * 2 ** level}: L2 error {errors[-1]:.4e}")
observed = orders(errors)
print("L2 orders:", " ".join(f"{o:.3f}" for o in observed))
p = degree + 1
check(abs(observed[-1] - p) <= 0.2, f"asymptotic L2 order {observed[-1]:.3f} = {p} +- 0.2")
check(all(o >= p - 0.3 for o in observed), f"every L2 order >= {p - 0.3}")
probes = read_csv(os.path.join(output, "probes.csv"))
tolerance = 2e-3 if degree == 1 else 1e-5
for name, exact in (("quarter", 42.432816756), ("half", 44.859340527), ("end", 46.154929773)):
    value = probes[f"{name}:temperature"][-1]
    check(abs(value - exact) <= tolerance, f"T({name}) = {value:.9f} vs {exact} (|error| <= {tolerance} K)")
finish()
