#!/usr/bin/python3
"""A slice of a result written by the `image output` postprocessor over the patient's
image (Debian python3-numpy, python3-matplotlib).

  python3 postprocess/plot_image_slice.py BACKGROUND.nii.gz RESULT.nii.gz OUT.png
          [--axis z] [--threshold 38] [--label "T [C]"]

BACKGROUND (e.g. the T1) and RESULT share one grid (RESULT was resampled onto it). The
slice is the one through the largest RESULT value along --axis (x, y or z of the voxel
grid); RESULT is drawn in colour where it exceeds --threshold, over the grey background.
Prints the slice, the largest value and where it lies (world coordinates, mm)."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ferrotherm_nifti import read_image  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("background")
    parser.add_argument("result")
    parser.add_argument("output")
    parser.add_argument("--axis", default="z", choices=("x", "y", "z"))
    parser.add_argument("--threshold", type=float, default=38.0)
    parser.add_argument("--label", default="temperature [°C]")
    arguments = parser.parse_args()
    background, affine = read_image(arguments.background)
    result, result_affine = read_image(arguments.result)
    if background.shape != result.shape or not np.allclose(affine, result_affine, atol=1e-3):
        sys.exit(f"{arguments.result}: not on the grid of {arguments.background}")
    axis = "xyz".index(arguments.axis)
    peak = np.unravel_index(np.argmax(result), result.shape)
    index = peak[axis]
    take = [slice(None)] * 3
    take[axis] = index
    base, values = background[tuple(take)].T, result[tuple(take)].T
    world = affine[:3, :3] @ np.array(peak) + affine[:3, 3]
    figure, axes = plt.subplots(figsize=(6, 6))
    axes.imshow(base, cmap="gray", origin="lower")
    overlay = np.ma.masked_less_equal(values, arguments.threshold)
    image = axes.imshow(overlay, cmap="inferno", origin="lower", alpha=0.85,
                        vmin=arguments.threshold, vmax=max(values.max(), arguments.threshold + 1))
    figure.colorbar(image, ax=axes, shrink=0.8, label=arguments.label)
    axes.set_title(f"{os.path.basename(arguments.result)}, slice {arguments.axis} = {index}")
    axes.set_axis_off()
    figure.tight_layout()
    figure.savefig(arguments.output, dpi=110)
    print(f"{arguments.output}: slice {arguments.axis} = {index}; largest value {result.max():.4g} "
          f"at voxel {tuple(int(p) for p in peak)}, world ({world[0]:.1f}, {world[1]:.1f}, {world[2]:.1f}) mm")


if __name__ == "__main__":
    main()
