// ImageOutput: fields resampled onto the grid of a reference NIfTI image (the patient's
// scan or segmentation) and written as NIfTI with its affine, so the results overlay on
// the scan in any viewer (3D Slicer, FSLeyes, ITK-SNAP). At each output time, for every
// listed field, image-<field>-<time in s>.nii.gz holds the field at the voxel centres
//   x_ijk = A (i, j, k)^T + b
// (the finite-element interpolant, evaluated on the cell that holds the voxel centre;
// voxels outside the mesh hold 0). With `R2* relaxivity` > 0 also the synthetic MRI map
//   R2* = R2*_0 + r2* c_Fe   [1/s]   (c_Fe in mM, 1 mg Fe/mL = 17.9 mM),
// image-R2star-<time>.nii.gz, the way MNP deposits are followed by T2*-weighted MRI
// (r2* of iron-oxide particles ~ 100-300 1/(s mM) at 1.5-3 T; Wang 2011, Quant Imaging
// Med Surg 1:35).
#include "core/input_error.h"
#include "core/nifti_image.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping.h>

#include <cmath>
#include <iomanip>
#include <sstream>

namespace ferrotherm
{
namespace
{
constexpr double millimolar_per_kg_m3 = 1e3 / 55.845; // 1 kg Fe/m^3 = 17.9 mM

class ImageOutput : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Image output");
    prm.declare_entry("Reference image", "", dealii::Patterns::Anything(),
                      "NIfTI image (.nii, .nii.gz) whose grid and affine the fields are "
                      "resampled onto (relative paths: to the parameter file).");
    prm.declare_entry("Fields", "temperature", dealii::Patterns::Anything(),
                      "Registered fields to write, separated by ',' (e.g. temperature, "
                      "thermal_dose_CEM43, thermal_damage, iron, tumour_cells).");
    prm.declare_entry("R2* baseline", "20", dealii::Patterns::Double(0),
                      "R2*_0 of the tissue [1/s] (brain ~20 1/s at 3 T).");
    prm.declare_entry("R2* relaxivity", "0", dealii::Patterns::Double(0),
                      "r2* of the particles [1/(s mM Fe)], in [0, 1e4]; 0: no R2* map.");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Image output");
    const std::string file = prm.get("Reference image");
    if (trim(file).empty())
      throw_input_error("Postprocess/Image output/Reference image",
                        "the image output needs a reference image");
    reference_file = resolve_input_path(file, context.input_directory);
    field_names.clear();
    for (const auto &name : split(prm.get("Fields"), ','))
      field_names.push_back(trim(name));
    r2_baseline = prm.get_double("R2* baseline");
    r2_relaxivity = prm.get_double("R2* relaxivity");
    check_range(r2_relaxivity, 0, 1e4, "Postprocess/Image output/R2* relaxivity",
                "1/(s mM)");
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    if (reference.n_voxels() == 0)
      reference =
          NiftiImage::read(reference_file, "Postprocess/Image output/Reference image");
    for (const std::string &name : field_names)
      if (sim.fields().find(name) == nullptr)
      {
        std::string known;
        for (const auto &entry : sim.fields().entries())
          known += (known.empty() ? "" : ", ") + entry.first;
        throw_input_error("Postprocess/Image output/Fields",
                          "no field '" + name + "'; registered: " + known);
      }
    if (r2_relaxivity > 0 && sim.fields().find("iron") == nullptr)
      throw_input_error("Postprocess/Image output/R2* relaxivity",
                        "the R2* map needs the field 'iron'");
    locate_voxels();
  }

  void execute(double time, StatisticsRow &) override
  {
    std::vector<std::string> names = field_names;
    if (r2_relaxivity > 0)
      names.push_back("R2star");
    std::ostringstream stamp;
    stamp << std::setprecision(10) << time;
    for (const std::string &name : names)
    {
      const bool r2 = name == "R2star";
      NiftiImage image = resample(name == "R2star" ? "iron" : name);
      if (r2)
        for (std::size_t v = 0; v < image.data().size(); ++v)
          if (inside[v])
            image.data()[v] =
                r2_baseline + r2_relaxivity * millimolar_per_kg_m3 * image.data()[v];
      if (dealii::Utilities::MPI::this_mpi_process(simulator->mpi_communicator()) == 0)
        image.write(simulator->output_directory() + "/image-" + name + "-" + stamp.str() +
                        ".nii.gz",
                    "Ferrotherm " + name + " at t = " + stamp.str() + " s");
    }
  }

private:
  // Per locally owned cell, the voxels whose centres it holds (a centre on a face goes
  // to the cell of the lowest rank and first in the loop that finds it), with their
  // reference-cell points.
  void locate_voxels()
  {
    using namespace dealii;
    const ScalarSpace &space = simulator->scalar_space();
    const auto size = reference.size();
    std::vector<unsigned char> claimed(reference.n_voxels(), 0);
    cell_voxels.clear();
    for (const auto &cell : space.dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      // The cell's box in voxel indices.
      std::array<double, 3> low{{1e300, 1e300, 1e300}}, high{{-1e300, -1e300, -1e300}};
      for (const unsigned int v : cell->vertex_indices())
      {
        const Point<3> index = reference.voxel(cell->vertex(v));
        for (unsigned int d = 0; d < 3; ++d)
        {
          low[d] = std::min(low[d], index[d]);
          high[d] = std::max(high[d], index[d]);
        }
      }
      std::array<std::int64_t, 3> first, last;
      for (unsigned int d = 0; d < 3; ++d)
      {
        first[d] = std::max<std::int64_t>(0, std::ceil(low[d] - 1e-9));
        last[d] = std::min<std::int64_t>(size[d] - 1, std::floor(high[d] + 1e-9));
      }
      CellVoxels entry{cell, {}, {}};
      for (std::int64_t k = first[2]; k <= last[2]; ++k)
        for (std::int64_t j = first[1]; j <= last[1]; ++j)
          for (std::int64_t i = first[0]; i <= last[0]; ++i)
          {
            const std::int64_t index = reference.index(i, j, k);
            if (claimed[index])
              continue;
            const Point<3> world = reference.world(Point<3>(i, j, k));
            try
            {
              const Point<3> unit =
                  space.mapping->transform_real_to_unit_cell(cell, world);
              if (GeometryInfo<3>::is_inside_unit_cell(unit, 1e-10))
              {
                claimed[index] = 1;
                entry.voxels.push_back(index);
                entry.points.push_back(GeometryInfo<3>::project_to_unit_cell(unit));
              }
            }
            catch (const Mapping<3>::ExcTransformationFailed &)
            {
            }
          }
      if (!entry.voxels.empty())
        cell_voxels.push_back(std::move(entry));
    }
    // Which voxels lie in the mesh (on any rank), for the R2* map.
    std::vector<unsigned char> any(claimed.size());
    MPI_Allreduce(claimed.data(), any.data(), static_cast<int>(claimed.size()),
                  MPI_UNSIGNED_CHAR, MPI_MAX, simulator->mpi_communicator());
    inside.assign(any.begin(), any.end());
  }

  // The field at the voxel centres (summed over the ranks: each voxel is found by the
  // ranks whose cells hold it, and averaged over them).
  NiftiImage resample(const std::string &name) const
  {
    using namespace dealii;
    const ScalarSpace &space = simulator->scalar_space();
    const Field &field = simulator->fields().get(name, "Postprocess/Image output");
    std::vector<double> sum(reference.n_voxels(), 0.0), count(reference.n_voxels(), 0.0);
    std::vector<double> values;
    for (const CellVoxels &entry : cell_voxels)
    {
      const Quadrature<3> points(entry.points,
                                 std::vector<double>(entry.points.size(), 1.0));
      FEValues<3> fe_values(*space.mapping, space.fe, points,
                            update_values | update_quadrature_points);
      fe_values.reinit(entry.cell);
      values.resize(entry.points.size());
      field.evaluate(fe_values, values);
      for (std::size_t p = 0; p < values.size(); ++p)
      {
        sum[entry.voxels[p]] += values[p];
        count[entry.voxels[p]] += 1;
      }
    }
    const MPI_Comm comm = simulator->mpi_communicator();
    const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
    std::vector<double> total(root ? sum.size() : 0), counts(root ? sum.size() : 0);
    MPI_Reduce(sum.data(), root ? total.data() : nullptr, static_cast<int>(sum.size()),
               MPI_DOUBLE, MPI_SUM, 0, comm);
    MPI_Reduce(count.data(), root ? counts.data() : nullptr, static_cast<int>(sum.size()),
               MPI_DOUBLE, MPI_SUM, 0, comm);
    NiftiImage image = reference.same_grid(0.0);
    if (root)
      for (std::size_t v = 0; v < total.size(); ++v)
        image.data()[v] = counts[v] > 0 ? total[v] / counts[v] : 0.0;
    return image;
  }

  struct CellVoxels
  {
    dealii::DoFHandler<3>::active_cell_iterator cell;
    std::vector<std::int64_t> voxels;
    std::vector<dealii::Point<3>> points;
  };
  Simulator *simulator = nullptr;
  std::string reference_file;
  NiftiImage reference;
  std::vector<std::string> field_names;
  double r2_baseline = 20, r2_relaxivity = 0;
  std::vector<CellVoxels> cell_voxels;
  std::vector<bool> inside;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    Postprocessor, ImageOutput, "image output",
    "fields resampled onto a reference NIfTI image's grid, written "
    "as NIfTI with its affine (and a synthetic R2* map)")
} // namespace ferrotherm
