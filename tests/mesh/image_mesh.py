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
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402
from image_case import BASE, VOXEL_ML, counts, names, same_volumes, volumes, write_images  # noqa: E402

write_images()

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
            check(error <= 1e-9, text + ": voxel-sized cells at the interfaces, exact")
        else:
            print(text + " (2-voxel cells, majority vote with ties to the lower label; not checked)")
    if refinements == 3:
        exact = found

maps = "; ".join(f"{label}: {os.path.abspath(f'p{label}.nii.gz')}" for label in (1, 2, 4))
run(os.path.join(HERE, "errors", "base.prm"),
    BASE + ["Mesh/Image/Label image=", f"Mesh/Image/Probability maps={maps}",
            "Mesh/Image/Probability scale=255"], output="out-image-maps")
check(same_volumes(volumes("out-image-maps"), exact), "probability maps give the same tissue volumes")
run(os.path.join(HERE, "errors", "base.prm"), BASE, output="out-image-2", ranks=2)
check(same_volumes(volumes("out-image-2"), exact), "2 ranks print the same tissue volumes")
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
