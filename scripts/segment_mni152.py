#!/usr/bin/python3
"""Segments the MNI ICBM152 2009a template (meshes/brain-mni152/) into the tissue labels
of the glioblastoma case and inserts the tumour (Debian python3-numpy, python3-scipy).

  scripts/segment_mni152.py [--voxel MM] [OUTPUT_DIRECTORY]

Writes labels-<MM>mm.nii.gz (int16) and t1-<MM>mm.nii.gz (the T1 at that resolution, for
overlays) into OUTPUT_DIRECTORY (default meshes/brain-mni152), on the template's own MNI
affine coarsened by block averaging of MM x MM x MM voxels (MM = 2 or 4). Labels:
  0 air, 1 scalp and soft tissue, 2 skull, 3 CSF, 4 grey matter, 5 white matter,
  6 tumour (enhancing rim), 7 necrotic core.
Method (a layered head model: the brain from the tissue probability maps, CSF, skull and
scalp as layers around it):
  - brain: P_GM + P_WM >= 0.5; white matter where P_WM >= P_GM, grey matter elsewhere;
  - intracranial volume: where the template's T1 is non-zero (it is distributed masked
    to the intracranial volume) or within 2 mm of the brain, closed (4 mm) and filled;
    what it holds besides the brain is CSF;
  - skull and scalp: shells of 6 and 5 mm grown around it (the T1 has neither);
  - glioblastoma: a sphere of radius 15 mm (3 cm) centred in the right frontal white
    matter at MNI (26, 30, 22) mm with a necrotic core of radius 6 mm.
The volumes of the labels are printed."""
import argparse
import os
import sys

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "postprocess"))
from ferrotherm_nifti import read_image, write_nifti  # noqa: E402

NAMES = {0: "air", 1: "scalp", 2: "skull", 3: "CSF", 4: "grey matter", 5: "white matter",
         6: "tumour", 7: "necrotic core"}
TUMOUR_CENTRE, TUMOUR_RADIUS, CORE_RADIUS = np.array([26.0, 30.0, 22.0]), 15.0, 6.0
SKULL, SCALP = 6.0, 5.0  # shell thicknesses [mm] (adult: skull 5-7 mm, scalp 5-6 mm)


def coarsen(values, affine, factor):
    """Block averages of factor^3 voxels and the affine of the coarse grid."""
    n = [s // factor * factor for s in values.shape]
    cropped = values[: n[0], : n[1], : n[2]]
    shape = (n[0] // factor, factor, n[1] // factor, factor, n[2] // factor, factor)
    coarse = cropped.reshape(shape).mean(axis=(1, 3, 5))
    result = affine.copy()
    result[:3, :3] = affine[:3, :3] * factor
    result[:3, 3] = affine[:3, :3] @ np.full(3, (factor - 1) / 2) + affine[:3, 3]
    return coarse, result


def ball(radius_voxels):
    r = int(np.ceil(radius_voxels))
    x, y, z = np.mgrid[-r: r + 1, -r: r + 1, -r: r + 1]
    return x * x + y * y + z * z <= radius_voxels * radius_voxels + 1e-9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voxel", type=int, default=2, choices=(2, 4))
    parser.add_argument("output", nargs="?", default=os.path.join(HERE, "..", "meshes", "brain-mni152"))
    arguments = parser.parse_args()
    source = os.path.join(HERE, "..", "meshes", "brain-mni152")
    images = {}
    for name in ("t1", "gm", "wm"):
        values, affine = read_image(os.path.join(source, f"mni_icbm152_{name}_tal_nlin_sym_09a_converted.nii.gz"))
        images[name], coarse_affine = coarsen(values, affine, arguments.voxel)
    mm = arguments.voxel
    gm, wm, t1 = images["gm"] / 255, images["wm"] / 255, images["t1"]

    labels = np.zeros(t1.shape, dtype=np.int16)
    brain = gm + wm >= 0.5
    # The distributed T1 is masked to the intracranial volume (zero outside it): the
    # skull and the scalp are grown around that volume as shells of typical thickness.
    intracranial = ndimage.binary_fill_holes(ndimage.binary_closing((t1 > 0) | brain, ball(4 / mm)))
    intracranial |= ndimage.binary_dilation(brain, ball(2 / mm))
    inside_skull = ndimage.binary_dilation(intracranial, ball(SKULL / mm))
    head = ndimage.binary_dilation(inside_skull, ball(SCALP / mm))
    labels[head] = 1
    labels[inside_skull] = 2
    labels[intracranial] = 3
    labels[brain & intracranial] = 4
    labels[brain & intracranial & (wm >= gm)] = 5

    index = np.indices(t1.shape).reshape(3, -1).T
    world = (index @ coarse_affine[:3, :3].T + coarse_affine[:3, 3]).reshape(t1.shape + (3,))
    distance = np.linalg.norm(world - TUMOUR_CENTRE, axis=-1)
    labels[(distance <= TUMOUR_RADIUS) & intracranial] = 6
    labels[(distance <= CORE_RADIUS) & intracranial] = 7

    os.makedirs(arguments.output, exist_ok=True)
    rows = coarse_affine[:3]
    write_nifti(os.path.join(arguments.output, f"labels-{mm}mm.nii.gz"), labels, "int16", sform=rows)
    write_nifti(os.path.join(arguments.output, f"t1-{mm}mm.nii.gz"), t1.astype(np.float32), "float32", sform=rows)
    voxel_ml = abs(np.linalg.det(coarse_affine[:3, :3])) * 1e-3
    print(f"{mm} mm grid {t1.shape}, voxel {voxel_ml * 1e3:g} mm^3")
    for label, name in NAMES.items():
        print(f"  {label} {name:14s} {np.sum(labels == label):8d} voxels {np.sum(labels == label) * voxel_ml:9.2f} mL")


if __name__ == "__main__":
    main()
