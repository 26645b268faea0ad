"""NIfTI input and output (core/nifti_image.h) against an independent writer and reader
written here with struct (no nifticlib, no nibabel).

  roundtrip  An intensity image I(v) = 100 + 0.5 (v_i + 2 v_j + 3 v_k), linear in the voxel
             index v and so in world coordinates, is the prescribed iron map
             (Transport/Prescribed/Iron image, c = s (I - I_0)); the image output
             postprocessor resamples the iron onto a second, differently oriented
             reference grid. At every reference voxel centre y inside the mesh the written
             value must be s (I(A_iron^-1 (y - b_iron)) - I_0) (trilinear interpolation is
             exact for linear data), the voxels outside the mesh 0, and the written file's
             sform the reference's. Cases: NIfTI-1 and NIfTI-2, .nii and .nii.gz, uint8,
             int16, int32, float32 and float64, scl_slope/scl_inter, an oblique sform, a
             qform only (rotation, qfac = -1: negative spacing), sform and a different
             qform (the sform wins), neither (pixdim, in metres), a negative x spacing.
             Also the synthetic R2* map, the map as the transport layer's initial state,
             and 2 ranks = 1 rank.
  errors     a truncated file (plain and gzip), a file that is not NIfTI, a 4D image, a
             missing file: an error naming the parameter and the file, exit 1."""
import gzip
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "postprocess"))
from ferrotherm_testing import HERE, check, finish, run  # noqa: E402
from ferrotherm_nifti import read_nifti1, write_nifti  # noqa: E402

I0, SLOPE = 100.0, 0.02  # calibration: c = SLOPE (I - I0) [mg/mL]
SIZE = (20, 24, 16)


def rotation_z(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


# The iron image: voxels 2 x 1.5 x 2.5 mm about the world origin (mm).
CENTRE = np.array([(n - 1) / 2 for n in SIZE])
SPACING = np.diag([2.0, 1.5, 2.5])


def affine_rows(linear):
    """3x4 rows that put the image centre at the world origin."""
    return np.hstack([linear, (-linear @ CENTRE)[:, None]])


def quaternion(angle, qfac):
    """qform parameters of a rotation about z by `angle`, spacing SPACING, centred."""
    linear = rotation_z(angle) @ SPACING @ np.diag([1, 1, qfac])
    return (0.0, 0.0, math.sin(angle / 2), tuple(-linear @ CENTRE), qfac), linear


mode = sys.argv[1]
index = np.indices(SIZE, dtype=float)
stored = index[0] + 2 * index[1] + 3 * index[2]  # I = 100 + 0.5 stored
BASE = ["Tissues/Database=../data/tissues-verification.csv", "Tissues/Target tissues=",
        "Mesh/Model=box", "Mesh/Box/Lower corner=-0.006, -0.006, -0.005",
        "Mesh/Box/Upper corner=0.006, 0.006, 0.005", "Mesh/Global refinements=2",
        "Transport/Model=prescribed", f"Transport/Prescribed/Iron image calibration={I0}, {SLOPE}",
        "Electromagnetics/Uniform/Field amplitude=0", "Treatment schedule/End time=10",
        "Treatment schedule/AMF sessions=never", "Heat/Time step=10", "Output/Output interval=10",
        "Postprocess/List of postprocessors=image output",
        "Postprocess/Image output/Fields=iron, temperature",
        "Postprocess/Image output/R2* relaxivity=150"]

if mode == "roundtrip":
    # The output grid: 1 mm voxels, rotated by -20 degrees, offset by (0.3, -0.2, 0.1) mm.
    ref_linear = rotation_z(-math.radians(20)) @ np.diag([1.0, 1.0, 1.0])
    ref_size = (17, 17, 13)
    ref_rows = np.hstack([ref_linear, (-ref_linear @ np.array([8, 8, 6]) + [0.3, -0.2, 0.1])[:, None]])
    write_nifti("ref.nii.gz", np.zeros(ref_size), "float32", sform=ref_rows)
    oblique = rotation_z(math.radians(30)) @ np.array([[1, 0.2, 0], [0, 1, 0], [0, 0, 1.0]]) @ SPACING
    q_neg, q_neg_linear = quaternion(math.radians(30), -1)
    q_pos, _ = quaternion(math.radians(-45), 1)
    flip_x = SPACING @ np.diag([-1, 1, 1])
    cases = [
        ("nifti1 uint8 gzip, oblique sform", "iron-u8.nii.gz", 1, "uint8", dict(sform=affine_rows(oblique)), oblique),
        ("nifti1 int16, qform only (qfac -1)", "iron-i16.nii", 1, "int16", dict(qform=q_neg, pixdim=(2, 1.5, 2.5)), q_neg_linear),
        ("nifti1 int32, sform wins over qform", "iron-i32.nii.gz", 1, "int32",
         dict(sform=affine_rows(oblique), qform=q_pos, pixdim=(2, 1.5, 2.5)), oblique),
        ("nifti2 float32 gzip, negative x spacing", "iron-f32.nii.gz", 2, "float32", dict(sform=affine_rows(flip_x)), flip_x),
        ("nifti2 float64, pixdim only, metres", "iron-f64.nii", 2, "float64",
         dict(pixdim=(0.002, 0.0015, 0.0025), units=1), None)]
    for name, path, version, dtype, options, linear in cases:
        # Stored values with slope 0.5, intercept 100 (float types: the values themselves).
        scaled = dtype.startswith("float")
        write_nifti(path, 100 + 0.5 * stored if scaled else stored, dtype, version,
                    slope=0.0 if scaled else 0.5, inter=0.0 if scaled else 100.0, **options)
        if linear is None:  # pixdim only: the voxel corner (index 0) at the origin, metres
            linear_mm, offset_mm = SPACING, np.zeros(3)
        else:
            linear_mm, offset_mm = linear, -linear @ CENTRE
        output = "out-" + path.split(".")[0]
        mesh = BASE
        if linear is None:  # the pixdim grid spans [0, 38] x [0, 34.5] x [0, 37.5] mm
            mesh = BASE + ["Mesh/Box/Lower corner=0.012, 0.011, 0.013", "Mesh/Box/Upper corner=0.024, 0.023, 0.023"]
            ref_here = np.hstack([ref_linear, (-ref_linear @ np.array([8, 8, 6]) + [18.3, 16.8, 18.1])[:, None]])
            write_nifti("ref-shifted.nii.gz", np.zeros(ref_size), "float32", sform=ref_here)
            reference_file, rows = "ref-shifted.nii.gz", ref_here
        else:
            reference_file, rows = "ref.nii.gz", ref_rows
        overrides = mesh + [f"Transport/Prescribed/Iron image={os.path.abspath(path)}",
                            f"Postprocess/Image output/Reference image={os.path.abspath(reference_file)}"]
        run(os.path.join(HERE, "errors", "base.prm"), overrides, output=output)
        values, srow = read_nifti1(os.path.join(output, "image-iron-10.nii.gz"))
        check(np.allclose(srow, rows, atol=1e-4), f"{name}: the output carries the reference's sform")
        r2, _ = read_nifti1(os.path.join(output, "image-R2star-10.nii.gz"))
        corner = {o.split("=")[0]: np.array([float(v) for v in o.split("=")[1].split(",")]) * 1e3
                  for o in mesh if o.startswith("Mesh/Box/")}  # the last setting wins [mm]
        low, high = corner["Mesh/Box/Lower corner"], corner["Mesh/Box/Upper corner"]
        worst, inside, outside_ok = 0.0, 0, True
        inverse = np.linalg.inv(linear_mm)
        for i in range(ref_size[0]):
            for j in range(ref_size[1]):
                for k in range(ref_size[2]):
                    y = srow[:, :3] @ [i, j, k] + srow[:, 3]  # world [mm] from the output file
                    margin = np.min(np.minimum(y - low, high - y))
                    if margin > 1e-3:
                        v = inverse @ (y - offset_mm)
                        expected = SLOPE * (100 + 0.5 * (v[0] + 2 * v[1] + 3 * v[2]) - I0)
                        worst = max(worst, abs(values[i, j, k] - expected))
                        r2_expected = 20 + 150 * 1e3 / 55.845 * expected
                        worst = max(worst, abs(r2[i, j, k] - r2_expected) / (150 * 1e3 / 55.845))
                        inside += 1
                    elif margin < -1e-3 and values[i, j, k] != 0:
                        outside_ok = False
        check(inside > 500 and worst <= 2e-5,
              f"{name}: {inside} voxels in the mesh, largest error {worst:.1e} mg/mL (float32)")
        check(outside_ok, f"{name}: the voxels outside the mesh hold 0")
    # The same map as the initial mobile iron of the transport layer (no diffusion, no
    # uptake: it stays put; Q1 interpolation of a linear map is exact).
    run(os.path.join(HERE, "errors", "base.prm"),
        BASE + ["Transport/Model=advection diffusion", "Transport/Advection diffusion/Diffusivity=0",
                f"Transport/Advection diffusion/Iron image={os.path.abspath('iron-u8.nii.gz')}",
                f"Transport/Advection diffusion/Iron image calibration={I0}, {SLOPE}",
                "Transport/Advection diffusion/Time step=10",
                f"Postprocess/Image output/Reference image={os.path.abspath('ref.nii.gz')}"],
        output="out-initial")
    initial, _ = read_nifti1("out-initial/image-iron-10.nii.gz")
    prescribed, _ = read_nifti1("out-iron-u8/image-iron-10.nii.gz")
    inside = prescribed != 0
    difference = float(np.max(np.abs(initial[inside] - prescribed[inside])))
    check(difference <= 1e-6 * float(np.max(prescribed)),
          f"as the transport layer's initial state: {difference:.1e} mg/mL from the prescribed map")
    run(os.path.join(HERE, "errors", "base.prm"),
        BASE + [f"Transport/Prescribed/Iron image={os.path.abspath('iron-u8.nii.gz')}",
                f"Postprocess/Image output/Reference image={os.path.abspath('ref.nii.gz')}"],
        output="out-2-ranks", ranks=2)
    one, _ = read_nifti1("out-iron-u8/image-iron-10.nii.gz")
    two, _ = read_nifti1("out-2-ranks/image-iron-10.nii.gz")
    check(np.array_equal(one, two), "2 ranks write the same image as 1 rank")
elif mode == "errors":
    write_nifti("good.nii", stored, "int16", sform=affine_rows(SPACING))
    blob = open("good.nii", "rb").read()
    open("truncated.nii", "wb").write(blob[: len(blob) // 2])
    with gzip.open("truncated.nii.gz", "wb") as handle:
        handle.write(blob[: len(blob) - 100])
    open("not-nifti.nii", "wb").write(b"this is not an image\n" * 30)
    write_nifti("four-d.nii", np.zeros(SIZE + (2,)), "float32", sform=affine_rows(SPACING))
    for path, expected in (("truncated.nii", "not a readable NIfTI"), ("truncated.nii.gz", "not a readable NIfTI"),
                           ("not-nifti.nii", "not a readable NIfTI"), ("four-d.nii", "a 3D image is expected"),
                           ("missing.nii.gz", "cannot open the NIfTI image")):
        result = run(os.path.join(HERE, "errors", "base.prm"),
                     BASE + [f"Transport/Prescribed/Iron image={os.path.abspath(path)}",
                             "Postprocess/List of postprocessors=temperature statistics"],
                     output="out-error", expect_success=False)
        message = result.stderr + result.stdout
        check(result.returncode == 1 and "Transport/Prescribed/Iron image" in message and path in message
              and expected in message, f"{path}: exit {result.returncode}, '{expected}' naming the file")
else:
    sys.exit(f"unknown mode {mode}")
finish()
