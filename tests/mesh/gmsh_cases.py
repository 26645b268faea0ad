"""Gmsh meshes that must give the same temperatures as tests/data/two-blocks.msh (the
verification case gmsh_two_blocks.prm, 2 ranks):
  large-labels: the muscle as physical volume 100000 (tissue table row with label 100000)
                and the boundaries "cold"/"warm" as physical surfaces 100010/100011;
                also passes --validate;
  format-41:    the same mesh written in MSH 4.1 ($Entities, node and element blocks)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, HERE, MPIEXEC, check, finish, read_csv, run  # noqa: E402

CASE = os.path.join(HERE, "verification", "gmsh_two_blocks.prm")
MESH = os.path.join(HERE, "mesh")
EXACT = {"a": 38.577786661, "b": 40.314671201, "c": 42.385794310}  # closed form [deg C]


def probes(output, overrides=()):
    run(CASE, overrides, ranks=2, output=output)
    values = read_csv(os.path.join(output, "probes.csv"))
    return {name: values[f"{name}:temperature"][-1] for name in EXACT}


reference = probes("out-reference")
if sys.argv[1] == "large-labels":
    overrides = [f"Mesh/Gmsh/File={MESH}/label-100000.msh",
                 f"Tissues/Database={MESH}/tissues-label-100000.csv"]
    command = [MPIEXEC, "-np", "2", "--oversubscribe", FERROTHERM, "--validate", CASE]
    for override in overrides:
        command += ["--set", override]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    print(result.stdout + result.stderr)
    check(result.returncode == 0, f"--validate with label 100000 exits 0 (exit {result.returncode})")
    case = probes("out-large-labels", overrides)
    stats = read_csv(os.path.join("out-large-labels", "statistics.csv"))
    check("T_mean_tissue_C" in stats and "T_mean_tumour_C" in stats,
          "tissues 'tissue' (label 100000) and 'tumour' (label 2) in statistics.csv")
elif sys.argv[1] == "format-41":
    case = probes("out-format-41", [f"Mesh/Gmsh/File={MESH}/two-blocks-41.msh"])
else:
    sys.exit(f"unknown case {sys.argv[1]}")
for name, exact in EXACT.items():
    check(abs(case[name] - reference[name]) <= 1e-9,
          f"T at probe {name} = {case[name]:.9f} vs {reference[name]:.9f} with labels 1, 10, 11")
    check(abs(case[name] - exact) <= 1e-4, f"T at probe {name} = {case[name]:.6f} vs {exact} (closed form)")
finish()
