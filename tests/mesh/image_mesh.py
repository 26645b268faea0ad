"""Mesh/Model = image: a segmented NIfTI image (written here, independently of nifticlib:
an ellipsoid of tissue 1 with a spherical tumour 2 and a slab of liver 4, background 0,
on an oblique grid of 1.5 x 1.2 x 2 mm voxels with a negative x spacing) meshed into
blocks of 8 voxels refined where the labels change.
  - 3 label refinements (cells of one voxel at the interfaces): every tissue's volume is
    its voxel count x the voxel volume (to round-off), the background voxels inside the
    kept blocks being air; with 2 refinements (2-voxel cells, majority vote) the errors
    are printed;
  - probability maps (one per tissue, uint8 0..255, threshold 0.5) give the same mesh;
  - 1 and 2 ranks print the same volumes, temperatures and powers; a run on the mesh
    closes its heat balance;
  - a label without a tissue row is an error listing the labels."""
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "postprocess"))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402
from ferrotherm_nifti import write_nifti  # noqa: E402

SIZE = (40, 36, 32)
SPACING = np.diag([-1.5, 1.2, 2.0])  # mm; x mirrored
c, s = math.cos(math.radians(25)), math.sin(math.radians(25))
LINEAR = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]]) @ SPACING
ROWS = np.hstack([LINEAR, np.array([[10.0], [-5.0], [3.0]])])
VOXEL_ML = abs(np.linalg.det(LINEAR)) * 1e-3

i, j, k = np.indices(SIZE, dtype=float)
u, v, w = (i - 19.5) / 17, (j - 17.5) / 15, (k - 15.5) / 13
labels = np.zeros(SIZE, dtype=np.int16)
labels[u * u + v * v + w * w <= 1] = 1
labels[(labels == 1) & (k < 8)] = 4
labels[(i - 22) ** 2 + (j - 16) ** 2 + ((k - 17) * 1.5) ** 2 <= 36] = 2
write_nifti("labels.nii.gz", labels, "int16", sform=ROWS)
for label in (1, 2, 4):
    write_nifti(f"p{label}.nii.gz", np.where(labels == label, 230, 10).astype(np.uint8), "uint8", sform=ROWS)
counts = {label: int(np.sum(labels == label)) for label in (1, 2, 4)}
names = {1: "tissue", 2: "tumour", 4: "liver"}

BASE = ["Mesh/Model=image", f"Mesh/Image/Label image={os.path.abspath('labels.nii.gz')}",
        "Tissues/Database=../data/tissues-image.csv", "Tissues/Target tissues=tumour",
        "Electromagnetics/Uniform/Field amplitude=0", "Transport/Model=prescribed",
        "Transport/Prescribed/Iron by label=2: 5", "Treatment schedule/End time=60",
        "Heat/Time step=30", "Heat/Boundary conditions=outer: convective 10, 25",
        "Output/Output interval=60"]


def volumes(output):
    text = open(os.path.join(output, "log.txt")).read()
    line = re.search(r"Tissue volumes:(.*)", text).group(1)
    return {name: float(value) for name, value in re.findall(r" (\w+) ([0-9.e+-]+) mL;", line)}


for refinements in (3, 2):
    output = f"out-image-{refinements}"
    run(os.path.join(HERE, "errors", "base.prm"), BASE + [f"Mesh/Image/Label refinements={refinements}"],
        output=output)
    found = volumes(output)
    for label, count in counts.items():
        expected = count * VOXEL_ML
        error = abs(found[names[label]] - expected) / expected
        text = (f"{refinements} refinements: {names[label]} {found[names[label]]:.6g} mL, {count} voxels x "
                f"{VOXEL_ML:.4g} mL = {expected:.6g} mL (error {error:.1e})")
        if refinements == 3:
            check(error <= 1e-12, text + ": voxel-sized cells at the interfaces, exact")
        else:
            print(text + " (2-voxel cells, majority vote with ties to the lower label; not checked)")
    if refinements == 3:
        exact = found

maps = "; ".join(f"{label}: {os.path.abspath(f'p{label}.nii.gz')}" for label in (1, 2, 4))
run(os.path.join(HERE, "errors", "base.prm"),
    BASE + ["Mesh/Image/Label image=", f"Mesh/Image/Probability maps={maps}",
            "Mesh/Image/Probability scale=255"], output="out-image-maps")
check(volumes("out-image-maps") == exact, "probability maps give the same tissue volumes")
run(os.path.join(HERE, "errors", "base.prm"), BASE, output="out-image-2", ranks=2)
check(volumes("out-image-2") == exact, "2 ranks print the same tissue volumes")
one_rank, two_ranks = read_csv("out-image-3/statistics.csv"), read_csv("out-image-2/statistics.csv")
worst, where = 0.0, ""
for name, column in one_rank.items():
    # Temperatures and powers (the field is off here: energy changes and the balance
    # error are round-off, checked against their threshold below).
    if not name.startswith(("T_", "target_T", "power_")):
        continue
    scale = max(max(abs(v) for v in column), 1e-300)
    difference = max(abs(a - b) for a, b in zip(column, two_ranks[name])) / scale
    if difference > worst:
        worst, where = difference, name
check(worst <= 1e-8, f"1 and 2 ranks: temperatures and powers agree to {worst:.1e} of their magnitude ({where})")
stats = open("out-image-2/statistics.csv").read().splitlines()
header, last = stats[0].split(","), stats[-1].split(",")
balance = float(last[header.index("energy_balance_error")])
warnings = float(last[header.index("warnings")])
check(balance <= 1e-6 and warnings == 0,
      f"a run on the image mesh (air cells of 1.2 kg/m^3 included): heat balance {balance:.1e} "
      "below the warning threshold 1e-6, no warnings")

result = run(os.path.join(HERE, "errors", "base.prm"), BASE + ["Tissues/Database=../data/tissues-verification.csv",
                                                               "Tissues/Target tissues="],
             output="out-image-missing", expect_success=False)
message = result.stderr + result.stdout
check(result.returncode == 1 and "the mesh has the labels 0, 1, 2, 4" in message and "no tissue for label(s) 0, 4" in message,
      "a label without a tissue row: an error listing the labels")
finish()
