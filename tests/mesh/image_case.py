"""The segmented image of the image-mesh tests (tests/mesh/image_mesh.py, saved_mesh.py),
written into the working directory independently of nifticlib: an ellipsoid of tissue 1
with a spherical tumour 2 and a slab of liver 4, background 0, on an oblique grid of
1.5 x 1.2 x 2 mm voxels with a negative x spacing; its label map, one uint8 probability
map per tissue, and the overrides of tests/errors/base.prm that mesh and heat it."""
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "postprocess"))
from ferrotherm_nifti import write_nifti  # noqa: E402

SIZE = (40, 36, 32)
SPACING = np.diag([-1.5, 1.2, 2.0])  # mm; x mirrored
c, s = math.cos(math.radians(25)), math.sin(math.radians(25))
LINEAR = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]]) @ SPACING
ROWS = np.hstack([LINEAR, np.array([[10.0], [-5.0], [3.0]])])
# The sform is stored in float32: the voxel volume of the stored affine.
VOXEL_ML = abs(np.linalg.det(LINEAR.astype(np.float32).astype(float))) * 1e-3

i, j, k = np.indices(SIZE, dtype=float)
u, v, w = (i - 19.5) / 17, (j - 17.5) / 15, (k - 15.5) / 13
labels = np.zeros(SIZE, dtype=np.int16)
labels[u * u + v * v + w * w <= 1] = 1
labels[(labels == 1) & (k < 8)] = 4
labels[(i - 22) ** 2 + (j - 16) ** 2 + ((k - 17) * 1.5) ** 2 <= 36] = 2
counts = {label: int(np.sum(labels == label)) for label in (1, 2, 4)}
names = {1: "tissue", 2: "tumour", 4: "liver"}


def write_images():
    """labels.nii.gz and p1/p2/p4.nii.gz in the working directory."""
    write_nifti("labels.nii.gz", labels, "int16", sform=ROWS)
    for label in (1, 2, 4):
        write_nifti(f"p{label}.nii.gz", np.where(labels == label, 230, 10).astype(np.uint8), "uint8",
                    sform=ROWS)


BASE = ["Mesh/Model=image", f"Mesh/Image/Label image={os.path.abspath('labels.nii.gz')}",
        "Tissues/Database=../data/tissues-image.csv", "Tissues/Target tissues=tumour",
        "Electromagnetics/Uniform/Field amplitude=0", "Transport/Model=prescribed",
        "Transport/Prescribed/Iron by label=2: 5", "Treatment schedule/End time=60",
        "Heat/Time step=30", "Heat/Boundary conditions=outer: convective 10, 25",
        "Output/Output interval=60"]


def volumes(output):
    """The tissue volumes [mL] a run printed, by tissue name."""
    text = open(os.path.join(output, "log.txt")).read()
    line = re.search(r"Tissue volumes:(.*)", text).group(1)
    return {name: float(value) for name, value in re.findall(r" (\w+) ([0-9.e+-]+) mL;", line)}


def same_volumes(first, second):
    """The same tissues with the same volumes to the 10 printed digits (sums over the
    cells of other partitions differ in the last digits)."""
    return first.keys() == second.keys() and all(
        abs(first[name] - second[name]) <= 1e-9 * max(abs(first[name]), 1e-300) for name in first)
