// ImageMesh (Mesh/Model = image): a hexahedral tissue mesh from a segmented NIfTI image,
// a label map or probability maps (a voxel takes the class of highest probability at or
// above the threshold; background otherwise). The coarse mesh is one hexahedron per block
// of b x b x b voxels that holds any foreground voxel (the other blocks are removed),
// with its vertices at the voxel corners mapped by the image's affine, x = A (i - 1/2,
// j - 1/2, k - 1/2)^T + offset (so an oblique scan gives parallelepipeds). p4est then
// refines every cell whose voxels carry more than one label, up to 'Label refinements'
// times (cells of b/2^n voxels), and every cell on every level takes the label most of
// the voxel centres inside it carry (ties: the lower label), also after a restart and
// after adaptive refinement. Background voxels inside kept blocks keep the
// background label, which then needs a tissue row (e.g. air). The coarse mesh is stored
// on every rank, so keep b large and let the refinements carry the resolution.
#include "core/input_error.h"
#include "core/nifti_image.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/meshes/mesh_generator.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/tria.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

namespace ferrotherm
{
namespace
{
using namespace dealii;

class ImageMesh : public MeshGenerator
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Image");
    prm.declare_entry("Label image", "", Patterns::Anything(),
                      "NIfTI label map (integer tissue labels; relative paths: to the "
                      "parameter file). Or give 'Probability maps'.");
    prm.declare_entry("Probability maps", "", Patterns::Anything(),
                      "'label: file; label: file': per tissue a probability map on one "
                      "grid; a voxel takes the label of the highest probability at or "
                      "above the threshold, else the background label.");
    prm.declare_entry("Probability threshold", "0.5", Patterns::Double(0, 1),
                      "Smallest probability (after dividing by 'Probability scale') that "
                      "assigns a class.");
    prm.declare_entry("Probability scale", "1", Patterns::Double(0),
                      "The value of probability 1 in the maps (255 for uint8 maps).");
    prm.declare_entry("Background label", "0", Patterns::Integer(0, 254),
                      "Label of the voxels outside the body: blocks of only background "
                      "are removed.");
    prm.declare_entry("Block size", "8", Patterns::Integer(1, 1024),
                      "Voxels per edge of a coarse cell.");
    prm.declare_entry("Label refinements", "3", Patterns::Integer(0, 10),
                      "Refinements of the cells with more than one label (b / 2^n voxels "
                      "per edge at the finest, at least 1).");
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Image");
    background = prm.get_integer("Background label");
    block = prm.get_integer("Block size");
    refinements = prm.get_integer("Label refinements");
    const std::string label_file = trim(prm.get("Label image"));
    const std::string maps = trim(prm.get("Probability maps"));
    if (label_file.empty() == maps.empty())
      throw_input_error("Mesh/Image/Label image",
                        "give either a 'Label image' or 'Probability maps'");
    if (!label_file.empty())
    {
      origin = resolve_input_path(label_file, context.input_directory);
      labels = std::make_unique<NiftiImage>(
          NiftiImage::read(origin, "Mesh/Image/Label image"));
      for (const double v : labels->data())
        if (v < 0 || v > 254 || v != std::round(v))
          throw_input_error("Mesh/Image/Label image (" + origin + ")",
                            "labels must be integers in [0, 254], found " +
                                std::to_string(v));
    }
    else
      read_probability_maps(prm, maps, context);
    prm.leave_subsection();
    if ((block >> refinements) == 0)
      throw_input_error("Mesh/Image/Label refinements",
                        "more refinements than the block size allows (" +
                            std::to_string(block) + " voxels)");
    const auto size = labels->size();
    for (unsigned int d = 0; d < 3; ++d)
      blocks[d] = (size[d] + block - 1) / block;
  }

  void create_coarse_mesh(parallel::distributed::Triangulation<3> &tria) const override
  {
    // Vertices at the block corners (voxel-corner coordinates, clipped to the image).
    const auto size = labels->size();
    auto corner = [&](unsigned int d, std::int64_t b)
    { return std::min<std::int64_t>(b * block, size[d]) - 0.5; };
    std::map<std::array<std::int64_t, 3>, unsigned int> vertex_index;
    std::vector<Point<3>> vertices;
    std::vector<CellData<3>> cells;
    for (std::int64_t k = 0; k < blocks[2]; ++k)
      for (std::int64_t j = 0; j < blocks[1]; ++j)
        for (std::int64_t i = 0; i < blocks[0]; ++i)
        {
          const VoxelRange range = block_range(i, j, k);
          if (!has_foreground(range))
            continue;
          CellData<3> cell;
          for (unsigned int v = 0; v < 8; ++v)
          {
            const std::array<std::int64_t, 3> at = {
                {i + (v & 1), j + ((v >> 1) & 1), k + ((v >> 2) & 1)}};
            auto found = vertex_index.find(at);
            if (found == vertex_index.end())
            {
              found = vertex_index.emplace(at, vertices.size()).first;
              vertices.push_back(labels->world(
                  Point<3>(corner(0, at[0]), corner(1, at[1]), corner(2, at[2]))));
            }
            cell.vertices[v] = found->second;
          }
          cell.material_id = majority(range);
          cells.push_back(cell);
        }
    if (cells.empty())
      throw_input_error(source(),
                        "the image has no voxel other than the background label " +
                            std::to_string(background));
    // An affine with negative determinant mirrors the cells: reorder them.
    if (determinant(affine_linear()) < 0)
      for (auto &cell : cells)
        for (unsigned int v = 0; v < 8; v += 2)
          std::swap(cell.vertices[v], cell.vertices[v + 1]);
    tria.create_triangulation(vertices, cells, SubCellData());
  }

  void refine_to_labels(parallel::distributed::Triangulation<3> &tria) const override
  {
    for (unsigned int r = 0; r < refinements; ++r)
    {
      bool any = false;
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned() && mixed(cell_range(cell)))
        {
          cell->set_refine_flag();
          any = true;
        }
      if (!Utilities::MPI::logical_or(any, tria.get_communicator()))
        break;
      tria.execute_coarsening_and_refinement();
    }
    assign_labels(tria);
  }

  void assign_labels(parallel::distributed::Triangulation<3> &tria) const override
  {
    // Level by level (parents first): the majority of the voxel centres in the cell; a
    // cell smaller than a voxel without a centre keeps its parent's label.
    for (const auto &cell : tria.cell_iterators())
    {
      const VoxelRange range = cell_range(cell);
      if (range.first[0] <= range.last[0] && range.first[1] <= range.last[1] &&
          range.first[2] <= range.last[2])
        cell->set_material_id(majority(range));
      else if (cell->level() > 0)
        cell->set_material_id(cell->parent()->material_id());
    }
  }

  std::string source() const override { return "Mesh/Image (" + origin + ")"; }

  std::map<std::string, types::boundary_id> boundary_names() const override
  {
    return {{"outer", 0}};
  }

private:
  struct VoxelRange
  {
    std::array<std::int64_t, 3> first, last; // inclusive
  };

  VoxelRange block_range(std::int64_t i, std::int64_t j, std::int64_t k) const
  {
    const auto size = labels->size();
    VoxelRange range;
    const std::array<std::int64_t, 3> b = {{i, j, k}};
    for (unsigned int d = 0; d < 3; ++d)
    {
      range.first[d] = b[d] * block;
      range.last[d] = std::min<std::int64_t>((b[d] + 1) * block, size[d]) - 1;
    }
    return range;
  }

  // The voxels whose centres lie in the cell (its vertices mapped back to indices).
  template <typename Iterator> VoxelRange cell_range(const Iterator &cell) const
  {
    std::array<double, 3> low{{1e300, 1e300, 1e300}}, high{{-1e300, -1e300, -1e300}};
    for (const unsigned int v : cell->vertex_indices())
    {
      const Point<3> index = labels->voxel(cell->vertex(v));
      for (unsigned int d = 0; d < 3; ++d)
      {
        low[d] = std::min(low[d], index[d]);
        high[d] = std::max(high[d], index[d]);
      }
    }
    VoxelRange range;
    for (unsigned int d = 0; d < 3; ++d)
    {
      range.first[d] = static_cast<std::int64_t>(std::ceil(low[d] - 1e-6));
      range.last[d] = static_cast<std::int64_t>(std::floor(high[d] + 1e-6));
    }
    return range;
  }

  template <typename Visit>
  void for_each_voxel(const VoxelRange &r, const Visit &visit) const
  {
    for (std::int64_t k = r.first[2]; k <= r.last[2]; ++k)
      for (std::int64_t j = r.first[1]; j <= r.last[1]; ++j)
        for (std::int64_t i = r.first[0]; i <= r.last[0]; ++i)
          visit(static_cast<unsigned int>(labels->value(i, j, k)));
  }

  bool has_foreground(const VoxelRange &range) const
  {
    bool found = false;
    for_each_voxel(range, [&](unsigned int label) { found |= label != background; });
    return found;
  }

  bool mixed(const VoxelRange &range) const
  {
    int first = -1;
    bool different = false;
    for_each_voxel(range,
                   [&](unsigned int label)
                   {
                     if (first < 0)
                       first = label;
                     different |= static_cast<int>(label) != first;
                   });
    return different;
  }

  types::material_id majority(const VoxelRange &range) const
  {
    std::array<unsigned int, 256> counts{};
    for_each_voxel(range, [&](unsigned int label) { ++counts[label]; });
    return static_cast<types::material_id>(
        std::max_element(counts.begin(), counts.end()) - counts.begin());
  }

  Tensor<2, 3> affine_linear() const
  {
    Tensor<2, 3> a;
    const Point<3> o = labels->world(Point<3>());
    for (unsigned int d = 0; d < 3; ++d)
    {
      Point<3> unit;
      unit[d] = 1;
      const Tensor<1, 3> column = labels->world(unit) - o;
      for (unsigned int r = 0; r < 3; ++r)
        a[r][d] = column[r];
    }
    return a;
  }

  void read_probability_maps(ParameterHandler &prm, const std::string &maps,
                             const RunContext &context)
  {
    const std::string where = "Mesh/Image/Probability maps";
    const double threshold = prm.get_double("Probability threshold");
    const double scale = prm.get_double("Probability scale");
    check_range(scale, 0, 1e9, "Mesh/Image/Probability scale", "", LowerBound::exclusive);
    std::vector<double> best;
    for (const auto &[label_text, file] : parse_key_value_list(maps, where))
    {
      const unsigned int label = parse_unsigned(label_text, where);
      if (label > 254 || label == background)
        throw_input_error(where,
                          "labels must be in [0, 254] and not the background label");
      const std::string path = resolve_input_path(file, context.input_directory);
      const NiftiImage map = NiftiImage::read(path, where);
      if (!labels)
      {
        origin = path;
        labels = std::make_unique<NiftiImage>(map.same_grid(background));
        best.assign(map.n_voxels(), threshold);
      }
      else if (map.size() != labels->size() ||
               (map.world(Point<3>(1, 1, 1)) - labels->world(Point<3>(1, 1, 1))).norm() >
                   1e-9 ||
               (map.world(Point<3>()) - labels->world(Point<3>())).norm() > 1e-9)
        throw_input_error(where + " (" + path + ")",
                          "the probability maps must share one grid and affine");
      for (std::size_t v = 0; v < best.size(); ++v)
      {
        const double p = map.data()[v] / scale;
        if (p >= best[v] && (p > best[v] || labels->data()[v] == background))
        {
          best[v] = p;
          labels->data()[v] = label;
        }
      }
    }
  }

private:
  std::string origin;
  std::unique_ptr<NiftiImage> labels;
  unsigned int background = 0, block = 8, refinements = 3;
  std::array<std::int64_t, 3> blocks{{0, 0, 0}};
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    MeshGenerator, ImageMesh, "image",
    "hexahedra from a NIfTI label map or probability maps, refined "
    "where the labels change")
} // namespace ferrotherm
