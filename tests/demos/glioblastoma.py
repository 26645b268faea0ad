"""The glioblastoma case (prm/glioblastoma.prm) on the 4-mm image of the MNI head (the
coarse CI variant; the bundled case uses the 2-mm image): a 1-h session at 8 kA/m and
100 kHz, 1 h of cooling, the default immune model. Plausibility: T within [37, 60] C
everywhere and at every output, the tumour T90 and the healthy-tissue maximum reported,
no NaN, heat balance closed, the tissue volumes printed (and within 2% of the image's voxel
counts), the results on the T1 grid as NIfTI, and a PNG of the temperature over the T1
from postprocess/plot_image_slice.py."""
import math
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "postprocess"))
from ferrotherm_nifti import read_image  # noqa: E402
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

ROOT = os.path.join(HERE, "..")
MESHES = os.path.join(ROOT, "meshes", "brain-mni152")
output = "out-glioblastoma"
run(os.path.join(ROOT, "prm", "glioblastoma.prm"),
    [f"Output/Output directory={output}", "Mesh/Image/Label image=$FERROTHERM_MESHES/brain-mni152/labels-4mm.nii.gz",
     "Mesh/Image/Block size=4", "Mesh/Image/Label refinements=2",
     "Postprocess/Image output/Reference image=$FERROTHERM_MESHES/brain-mni152/t1-4mm.nii.gz"],
    ranks=2, output=None, timeout=900)
stats = read_csv(os.path.join(output, "statistics.csv"))
log = open(os.path.join(output, "log.txt")).read()

finite = all(math.isfinite(v) for column in stats.values() for v in column)
check(finite, "no NaN or infinity in statistics.csv")
high = max(stats["T_peak_C"])
t_min = min(min(v) for k, v in stats.items() if k.startswith("T_min_"))
check(t_min >= 25 - 1e-9, f"the lowest temperature {t_min:.2f} C is above the 25 C room (air cells)")
tumour_min = min(min(stats[f"T_min_{t}_C"]) for t in ("tumour", "necrotic_core"))
check(tumour_min >= 37, f"the tumour stays at or above 37 C ({tumour_min:.2f} C)")
brain_min = min(min(stats[f"T_min_{t}_C"]) for t in ("grey_matter", "white_matter", "csf"))
check(brain_min >= 35, f"the brain surface, cooled through skull and scalp by the 25 C room, stays above "
      f"35 C ({brain_min:.2f} C)")
check(37 < high <= 60, f"peak temperature {high:.2f} C within (37, 60]")
t90 = max(stats["target_T90_C"])
healthy = max(stats["healthy_T_max_C"])
print(f"tumour T90 peak {t90:.2f} C, healthy-tissue maximum {healthy:.2f} C, "
      f"CEM43T90 {stats['CEM43T90_min'][-1]:.3g} min, eddy power {max(stats['power_eddy_W']):.3g} W")
check(39 <= t90 <= 46, f"the session heats the tumour: T90 {t90:.2f} C in [39, 46]")
check(stats["energy_balance_error"][-1] <= 1e-6, f"heat balance {stats['energy_balance_error'][-1]:.1e}")
print(f"warnings: {stats['warnings'][-1]:.0f} (the safety postprocessor's healthy-tissue limit, 44 C, is "
      "exceeded next to the tumour)")

volumes = dict(re.findall(r" (\w+) ([0-9.e+-]+) mL;", re.search(r"Tissue volumes:(.*)", log).group(1)))
labels, affine = read_image(os.path.join(MESHES, "labels-4mm.nii.gz"))
voxel_ml = abs(np.linalg.det(affine[:3, :3])) * 1e-3
names = ["air", "scalp", "skull", "csf", "grey_matter", "white_matter", "tumour", "necrotic_core"]
for label, name in enumerate(names[1:], start=1):
    expected = np.sum(labels == label) * voxel_ml
    error = abs(float(volumes[name]) - expected) / expected
    check(error <= 0.02, f"{name}: {float(volumes[name]):.1f} mL, {expected:.1f} mL of voxels (error {error:.1e})")

result = os.path.join(output, "image-temperature-3600.nii.gz")
check(os.path.isfile(result), "the temperature at the end of the session on the T1 grid (NIfTI)")
values, _ = read_image(result)
check(abs(values.max() - max(stats["T_max_C"][k] for k, t in enumerate(stats["time_s"]) if t == 3600)) < 0.5,
      f"its largest voxel value {values.max():.2f} C matches the statistics")
png = os.path.join(output, "temperature-slice.png")
printed = subprocess.run([sys.executable, os.path.join(ROOT, "postprocess", "plot_image_slice.py"),
                          os.path.join(MESHES, "t1-4mm.nii.gz"), result, png], capture_output=True, text=True)
print(printed.stdout.strip(), printed.stderr.strip())
check(printed.returncode == 0 and os.path.getsize(png) > 10000, "a PNG slice of the temperature over the T1")
memory = re.search(r"peak memory per rank (.*)", log)
check(memory is not None, f"memory per rank reported: {memory.group(1) if memory else 'missing'}")
finish()
