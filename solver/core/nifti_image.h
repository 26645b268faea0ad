// NiftiImage: a 3D scalar image of a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz), read
// and written with nifticlib (Debian libnifti2-dev). Voxel values are converted to
// double with the file's scaling, v = scl_slope * stored + scl_inter (scl_slope = 0: no
// scaling); the voxel-to-world map is the file's sform when sform_code > 0, else its
// qform when qform_code > 0, else the diagonal pixdim map of ANALYZE 7.5 images (NIfTI
// standard, nifti1.h "method 1-3"), with world coordinates converted from the file's
// xyz_units (mm when unset) to metres:
//   x = A (i, j, k)^T + b,   voxel (i, j, k) centred at integer indices.
// Errors (missing, truncated or inconsistent file, a 4D image, an unsupported datatype,
// non-finite values, a singular affine) name the file and the parameter it came from.
#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ferrotherm
{
class NiftiImage
{
public:
  // Reads `file` (given by `parameter`, for messages).
  static NiftiImage read(const std::string &file, const std::string &parameter);

  // An image of the same grid and affine with every value `value` (for resampled
  // results written back onto an input image's grid).
  NiftiImage same_grid(double value = 0) const;

  // Writes a float32 NIfTI-1 file (gzip when `file` ends in .gz) with this grid and
  // affine as sform and qform (the qform is the rigid part when the affine shears),
  // written to a temporary name and renamed, so no half-written file looks valid.
  void write(const std::string &file, const std::string &description) const;

  std::array<std::int64_t, 3> size() const { return dims; }
  std::int64_t n_voxels() const { return dims[0] * dims[1] * dims[2]; }
  // Linear index of voxel (i, j, k): i fastest, as in the file.
  std::int64_t index(std::int64_t i, std::int64_t j, std::int64_t k) const
  {
    return i + dims[0] * (j + dims[1] * k);
  }
  double value(std::int64_t i, std::int64_t j, std::int64_t k) const
  {
    return values[index(i, j, k)];
  }
  std::vector<double> &data() { return values; }
  const std::vector<double> &data() const { return values; }

  // Trilinear interpolation between the voxel centres at the world position [m]; within
  // half a voxel of the edge the edge values are extended; farther out `outside`.
  double interpolate(const dealii::Point<3> &world, double outside) const;

  // World position [m] of the (fractional) voxel index.
  dealii::Point<3> world(const dealii::Point<3> &voxel) const;
  // Voxel index of the world position [m] (the inverse map).
  dealii::Point<3> voxel(const dealii::Point<3> &world) const;
  // |det A|: the volume of one voxel [m^3].
  double voxel_volume() const;
  // "sform", "qform" or "pixdim": which map the file gave.
  const std::string &affine_source() const { return source; }
  const std::string &file_name() const { return name; }

private:
  std::string name, source;
  std::array<std::int64_t, 3> dims{{0, 0, 0}};
  std::vector<double> values;
  dealii::Tensor<2, 3> linear, inverse; // [m per voxel], [voxel per m]
  dealii::Tensor<1, 3> offset;          // [m]
  int form_code = 0;                    // NIFTI_XFORM_* of the source (written back)
};
} // namespace ferrotherm
