// NiftiImage (see nifti_image.h), through nifticlib's nifti2_io API, which reads both
// NIfTI-1 and NIfTI-2 headers and gzip-compressed files.
#include "core/nifti_image.h"

#include "core/input_error.h"

#include <nifti2_io.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace ferrotherm
{
namespace
{
struct NiftiDeleter
{
  void operator()(nifti_image *image) const { nifti_image_free(image); }
};
using NiftiPointer = std::unique_ptr<nifti_image, NiftiDeleter>;

template <typename T> void convert(const void *data, std::vector<double> &values)
{
  const T *typed = static_cast<const T *>(data);
  for (std::size_t v = 0; v < values.size(); ++v)
    values[v] = static_cast<double>(typed[v]);
}

// Metres per unit of the file's xyz_units (unset: millimetres, the usual convention).
double metres_per_unit(int units)
{
  switch (units)
  {
  case NIFTI_UNITS_METER:
    return 1;
  case NIFTI_UNITS_MICRON:
    return 1e-6;
  default:
    return 1e-3;
  }
}
} // namespace

NiftiImage NiftiImage::read(const std::string &file, const std::string &parameter)
{
  const std::string where = parameter + " (" + file + ")";
  if (!std::filesystem::is_regular_file(file))
    throw_input_error(where, "cannot open the NIfTI image");
  nifti_set_debug_level(0);
  NiftiPointer nim(nifti_image_read(file.c_str(), 1));
  if (!nim)
    throw_input_error(where,
                      "not a readable NIfTI-1/NIfTI-2 image: the header is not "
                      "NIfTI, or the file is truncated or its data is shorter than "
                      "the header's dimensions and datatype require");
  if (nim->data == nullptr)
    throw_input_error(where, "the image data could not be read (truncated file?)");
  std::int64_t extra = 1;
  for (int d = 4; d <= 7 && d <= nim->dim[0]; ++d)
    extra *= std::max<std::int64_t>(nim->dim[d], 1);
  if (extra != 1)
    throw_input_error(where, "a 3D image is expected, found " +
                                 std::to_string(nim->dim[0]) + " dimensions with " +
                                 std::to_string(extra) +
                                 " volumes (split 4D series first)");

  NiftiImage image;
  image.name = file;
  image.dims = {{std::max<std::int64_t>(nim->nx, 1), std::max<std::int64_t>(nim->ny, 1),
                 std::max<std::int64_t>(nim->nz, 1)}};
  if (static_cast<std::int64_t>(nim->nvox) != image.n_voxels())
    throw_input_error(
        where, "inconsistent header: " + std::to_string(nim->nvox) +
                   " voxels for dimensions " + std::to_string(image.dims[0]) + " x " +
                   std::to_string(image.dims[1]) + " x " + std::to_string(image.dims[2]));
  image.values.resize(image.n_voxels());
  switch (nim->datatype)
  {
  case DT_UINT8:
    convert<std::uint8_t>(nim->data, image.values);
    break;
  case DT_INT8:
    convert<std::int8_t>(nim->data, image.values);
    break;
  case DT_INT16:
    convert<std::int16_t>(nim->data, image.values);
    break;
  case DT_UINT16:
    convert<std::uint16_t>(nim->data, image.values);
    break;
  case DT_INT32:
    convert<std::int32_t>(nim->data, image.values);
    break;
  case DT_UINT32:
    convert<std::uint32_t>(nim->data, image.values);
    break;
  case DT_INT64:
    convert<std::int64_t>(nim->data, image.values);
    break;
  case DT_UINT64:
    convert<std::uint64_t>(nim->data, image.values);
    break;
  case DT_FLOAT32:
    convert<float>(nim->data, image.values);
    break;
  case DT_FLOAT64:
    convert<double>(nim->data, image.values);
    break;
  default:
    throw_input_error(where, std::string("unsupported datatype ") +
                                 nifti_datatype_string(nim->datatype) +
                                 "; expected a scalar integer or float32/float64 image");
  }
  // scl_slope = 0 (or not finite) means the stored values are the values.
  if (nim->scl_slope != 0 && std::isfinite(nim->scl_slope))
  {
    const double inter = std::isfinite(nim->scl_inter) ? nim->scl_inter : 0.0;
    for (double &v : image.values)
      v = nim->scl_slope * v + inter;
  }
  for (std::size_t v = 0; v < image.values.size(); ++v)
    if (!std::isfinite(image.values[v]))
      throw_input_error(where, "voxel " + std::to_string(v) +
                                   " is not a finite number (NaN or infinity)");

  // sform, else qform (nifticlib fills qto_xyz with the pixdim diagonal when
  // qform_code = 0, the ANALYZE method).
  const nifti_dmat44 &m = nim->sform_code > 0 ? nim->sto_xyz : nim->qto_xyz;
  image.source = nim->sform_code > 0 ? "sform" : nim->qform_code > 0 ? "qform" : "pixdim";
  image.form_code = nim->sform_code > 0 ? nim->sform_code : nim->qform_code;
  const double scale = metres_per_unit(nim->xyz_units);
  for (unsigned int r = 0; r < 3; ++r)
  {
    for (unsigned int c = 0; c < 3; ++c)
      image.linear[r][c] = scale * m.m[r][c];
    image.offset[r] = scale * m.m[r][3];
  }
  const double det = dealii::determinant(image.linear);
  if (!(std::abs(det) > 0) || !std::isfinite(det))
    throw_input_error(where, "the " + image.source +
                                 " voxel-to-world map is singular or not finite");
  image.inverse = dealii::invert(image.linear);
  return image;
}

NiftiImage NiftiImage::same_grid(double value) const
{
  NiftiImage image = *this;
  std::fill(image.values.begin(), image.values.end(), value);
  return image;
}

dealii::Point<3> NiftiImage::world(const dealii::Point<3> &voxel) const
{
  return dealii::Point<3>(linear * dealii::Tensor<1, 3>(voxel) + offset);
}

dealii::Point<3> NiftiImage::voxel(const dealii::Point<3> &world) const
{
  return dealii::Point<3>(inverse * (dealii::Tensor<1, 3>(world) - offset));
}

double NiftiImage::interpolate(const dealii::Point<3> &world_point, double outside) const
{
  const dealii::Point<3> v = voxel(world_point);
  std::array<std::int64_t, 3> low;
  std::array<double, 3> weight;
  for (unsigned int d = 0; d < 3; ++d)
  {
    if (v[d] < -0.5 || v[d] > dims[d] - 0.5)
      return outside;
    const double clamped =
        std::min(std::max(v[d], 0.0), static_cast<double>(dims[d] - 1));
    low[d] = std::min<std::int64_t>(static_cast<std::int64_t>(std::floor(clamped)),
                                    std::max<std::int64_t>(dims[d] - 2, 0));
    weight[d] = dims[d] > 1 ? clamped - low[d] : 0.0;
  }
  double result = 0;
  for (unsigned int corner = 0; corner < 8; ++corner)
  {
    double w = 1;
    std::array<std::int64_t, 3> at;
    for (unsigned int d = 0; d < 3; ++d)
    {
      const bool upper = (corner >> d) & 1;
      if (upper && dims[d] == 1)
      {
        w = 0;
        break;
      }
      at[d] = low[d] + (upper ? 1 : 0);
      w *= upper ? weight[d] : 1 - weight[d];
    }
    if (w != 0)
      result += w * value(at[0], at[1], at[2]);
  }
  return result;
}

double NiftiImage::voxel_volume() const { return std::abs(dealii::determinant(linear)); }

void NiftiImage::write(const std::string &file, const std::string &description) const
{
  const std::int64_t dimensions[8] = {3, dims[0], dims[1], dims[2], 1, 1, 1, 1};
  NiftiPointer nim(nifti_make_new_nim(dimensions, DT_FLOAT32, 1));
  if (!nim)
    throw std::runtime_error("cannot create the NIfTI image " + file);
  float *data = static_cast<float *>(nim->data);
  for (std::size_t v = 0; v < values.size(); ++v)
    data[v] = static_cast<float>(values[v]);
  nifti_dmat44 m;
  for (unsigned int r = 0; r < 4; ++r)
    for (unsigned int c = 0; c < 4; ++c)
      m.m[r][c] =
          r == 3 ? (c == 3 ? 1.0 : 0.0) : 1e3 * (c == 3 ? offset[r] : linear[r][c]); // mm
  const int code = form_code > 0 ? form_code : NIFTI_XFORM_SCANNER_ANAT;
  nim->sform_code = code;
  nim->sto_xyz = m;
  nim->sto_ijk = nifti_dmat44_inverse(m);
  nim->qform_code = code;
  double dx, dy, dz;
  nifti_dmat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d,
                          &nim->qoffset_x, &nim->qoffset_y, &nim->qoffset_z, &dx, &dy,
                          &dz, &nim->qfac);
  nim->qto_xyz = nifti_quatern_to_dmat44(nim->quatern_b, nim->quatern_c, nim->quatern_d,
                                         nim->qoffset_x, nim->qoffset_y, nim->qoffset_z,
                                         dx, dy, dz, nim->qfac);
  nim->qto_ijk = nifti_dmat44_inverse(nim->qto_xyz);
  nim->dx = nim->pixdim[1] = dx;
  nim->dy = nim->pixdim[2] = dy;
  nim->dz = nim->pixdim[3] = dz;
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->scl_slope = 1;
  nim->scl_inter = 0;
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
  std::strncpy(nim->descrip, description.c_str(), sizeof(nim->descrip) - 1);

  const std::filesystem::path target(file);
  const std::filesystem::path temporary =
      target.parent_path() / (".writing-" + target.filename().string());
  if (nifti_set_filenames(nim.get(), temporary.c_str(), 0, 1) != 0)
    throw std::runtime_error("cannot name the NIfTI output " + file);
  nifti_set_debug_level(0);
  nifti_image_write(nim.get());
  std::error_code error;
  if (!std::filesystem::is_regular_file(temporary) ||
      std::filesystem::file_size(temporary, error) < 352)
    throw std::runtime_error("cannot write the NIfTI image " + file);
  std::filesystem::rename(temporary, target, error);
  if (error)
    throw std::runtime_error("cannot write the NIfTI image " + file + ": " +
                             error.message());
}
} // namespace ferrotherm
