"""Gmsh input: labels from physical volumes (both tissues present), boundary conditions
by physical-surface name, and T at three probes against the closed form (1e-4 K)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

run(os.path.join(HERE, "verification", "gmsh_two_blocks.prm"), output="out-gmsh")
stats = read_csv(os.path.join("out-gmsh", "statistics.csv"))
check("T_mean_tissue_C" in stats and "T_mean_tumour_C" in stats, "labels 1 and 2 read from the physical volumes")
probes = read_csv(os.path.join("out-gmsh", "probes.csv"))
for name, exact in (("a", 38.577786661), ("b", 40.314671201), ("c", 42.385794310)):
    value = probes[f"{name}:temperature"][-1]
    check(abs(value - exact) <= 1e-4, f"T at probe {name} = {value:.6f} vs {exact} K")
finish()
