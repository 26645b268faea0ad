"""NIfTI-1/-2 files written and read with struct and gzip (numpy only; no nibabel), for
the mesh tools, the image postprocessing and the tests (independently of the nifticlib
reader of the solver). write_nifti: NIfTI-1 or -2, any of uint8/int16/int32/float32/float64,
sform and/or qform; read_nifti1: a float32 NIfTI-1 image as written by the solver;
read_image: any NIfTI-1 image (values scaled, the sform or qform affine in mm)."""
import gzip
import struct

import numpy as np

DTYPES = {"uint8": (2, 8, "u1"), "int16": (4, 16, "<i2"), "int32": (8, 32, "<i4"),
          "float32": (16, 32, "<f4"), "float64": (64, 64, "<f8")}


def write_nifti(path, stored, dtype, version=1, sform=None, qform=None, pixdim=(1, 1, 1),
                slope=0.0, inter=0.0, units=2, dims=None):
    """A NIfTI-1 or -2 file; sform: 3x4 rows (file units); qform: (b, c, d, offset, qfac)."""
    code, bitpix, numpy_type = DTYPES[dtype]
    shape = dims or stored.shape
    dim = [len(shape)] + list(shape) + [1] * (7 - len(shape))
    qfac = qform[4] if qform else 1.0
    pix = [qfac] + list(pixdim) + [0, 0, 0, 0]
    q = qform or (0, 0, 0, (0, 0, 0), 1)
    rows = np.asarray(sform if sform is not None else np.zeros((3, 4)), dtype=float)
    data = np.asarray(stored, dtype=numpy_type).tobytes(order="F")
    if version == 1:
        header = struct.pack("<i10s18sihcb8h3f4h8f3fhbb4f2i80s24s2h6f12f16s4s", 348, b"", b"", 0, 0,
                             b"r", 0, *dim, 0, 0, 0, 0, code, bitpix, 0, *pix, 352.0, slope, inter,
                             0, 0, units, 0, 0, 0, 0, 0, 0, b"test", b"",
                             1 if qform else 0, 1 if sform is not None else 0, q[0], q[1], q[2],
                             *q[3], *rows[0], *rows[1], *rows[2], b"", b"n+1\0")
        blob = header + b"\0" * 4 + data
    else:
        header = struct.pack("<i8s2h8q3d8dq6d2q80s24s2i6d12d3i16sc15s", 540, b"n+2\0\r\n\x1a\n", code,
                             bitpix, *dim, 0, 0, 0, *pix, 544, slope, inter, 0, 0, 0, 0, 0, 0,
                             b"test", b"", 1 if qform else 0, 1 if sform is not None else 0,
                             q[0], q[1], q[2], *q[3], *rows[0], *rows[1], *rows[2], 0, units, 0,
                             b"", b"\0", b"")
        blob = header + b"\0" * 4 + data
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as handle:
        handle.write(blob)


def read_nifti1(path):
    """(values as an array indexed [i, j, k], sform rows in mm) of a NIfTI-1 file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        blob = handle.read()
    fields = struct.unpack("<i10s18sihcb8h3f4h8f3fhbb4f2i80s24s2h6f12f16s4s", blob[:348])
    dim = fields[7:15]
    datatype, offset = fields[19], int(fields[30])
    if datatype != 16:
        raise ValueError(f"{path}: datatype {datatype}, expected float32 (16)")
    srow = np.array(fields[-14:-2]).reshape(3, 4)
    values = np.frombuffer(blob[offset:], dtype="<f4", count=dim[1] * dim[2] * dim[3])
    return values.reshape((dim[1], dim[2], dim[3]), order="F"), srow


def read_image(path):
    """(values [i, j, k] as float64 with scl_slope/inter, 4x4 voxel-to-world affine [mm])
    of a NIfTI-1 image (sform when sform_code > 0, else the qform quaternion)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        blob = handle.read()
    fields = struct.unpack("<i10s18sihcb8h3f4h8f3fhbb4f2i80s24s2h6f12f16s4s", blob[:348])
    dim, datatype, pixdim = fields[7:15], fields[19], fields[22:30]
    offset, slope, inter = int(fields[30]), fields[31], fields[32]
    qform_code, sform_code = fields[-22], fields[-21]
    numpy_type = {code: t for code, _, t in DTYPES.values()}[datatype]
    count = dim[1] * dim[2] * dim[3]
    values = np.frombuffer(blob[offset:], dtype=numpy_type, count=count).astype(float)
    values = values.reshape((dim[1], dim[2], dim[3]), order="F")
    if slope != 0:
        values = slope * values + inter
    affine = np.eye(4)
    if sform_code > 0:
        affine[:3] = np.array(fields[-14:-2]).reshape(3, 4)
    else:
        b, c, d = fields[-20:-17]
        a = np.sqrt(max(0.0, 1 - b * b - c * c - d * d))
        rotation = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                             [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                             [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
        qfac = -1.0 if pixdim[0] < 0 else 1.0
        affine[:3, :3] = rotation @ np.diag([pixdim[1], pixdim[2], qfac * pixdim[3]])
        affine[:3, 3] = fields[-17:-14] if qform_code > 0 else 0
    return values, affine
