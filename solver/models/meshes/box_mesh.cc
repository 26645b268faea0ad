// BoxMesh: an axis-aligned box of one tissue, subdivided into a grid of hexahedra.
// Boundary ids 0-5 are the faces x_min, x_max, y_min, y_max, z_min, z_max.
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/meshes/mesh_generator.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/grid_generator.h>

#include <algorithm>

namespace ferrotherm
{
namespace
{
class BoxMesh : public MeshGenerator
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Box");
    prm.declare_entry("Lower corner", "-0.05, -0.05, -0.05", dealii::Patterns::Anything(),
                      "x, y, z of the lower corner [m].");
    prm.declare_entry("Upper corner", "0.05, 0.05, 0.05", dealii::Patterns::Anything(),
                      "x, y, z of the upper corner [m].");
    prm.declare_entry("Subdivisions", "1, 1, 1", dealii::Patterns::Anything(),
                      "Coarse cells along x, y, z.");
    prm.declare_entry("Label", "1", dealii::Patterns::Integer(0, 254),
                      "Tissue label of the box.");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Box");
    const auto lower =
        parse_double_list(prm.get("Lower corner"), "Mesh/Box/Lower corner", 3);
    const auto upper =
        parse_double_list(prm.get("Upper corner"), "Mesh/Box/Upper corner", 3);
    const auto counts =
        parse_double_list(prm.get("Subdivisions"), "Mesh/Box/Subdivisions", 3);
    label = prm.get_integer("Label");
    prm.leave_subsection();
    for (unsigned int d = 0; d < 3; ++d)
    {
      p1[d] = lower[d];
      p2[d] = upper[d];
      if (!(upper[d] > lower[d]))
        throw_input_error("Mesh/Box/Upper corner",
                          "must exceed the lower corner in x, y and z");
      if (!(counts[d] >= 1) || counts[d] != static_cast<unsigned int>(counts[d]))
        throw_input_error("Mesh/Box/Subdivisions", "expected three positive integers");
      subdivisions[d] = static_cast<unsigned int>(counts[d]);
    }
    // Checked before the coarse mesh is built (the memory estimate of the refined mesh
    // comes after): every rank holds every coarse cell.
    const double coarse_cells = counts[0] * counts[1] * counts[2];
    constexpr double max_coarse_cells = 2e6;
    if (!(coarse_cells <= max_coarse_cells))
      throw_input_error("Mesh/Box/Subdivisions",
                        "the box would have " + format_number(coarse_cells) +
                            " coarse cells, more than the " +
                            format_number(max_coarse_cells) +
                            " that every MPI rank can hold; use fewer subdivisions and "
                            "Mesh/Global refinements instead");
  }

  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<3> &tria) const override
  {
    std::vector<unsigned int> coarse = subdivisions;
    for (unsigned int r = 0; r < built_in_refinements(); ++r)
      for (auto &count : coarse)
        count /= 2;
    dealii::GridGenerator::subdivided_hyper_rectangle(tria, coarse, p1, p2, true);
    for (const auto &cell : tria.active_cell_iterators())
      cell->set_material_id(label);
  }

  // The largest r with 2^r dividing all subdivisions: the grid is built 2^r times
  // coarser.
  unsigned int built_in_refinements() const override
  {
    unsigned int r = 0;
    while (r < 10 && std::all_of(subdivisions.begin(), subdivisions.end(),
                                 [&](unsigned int n) { return n % (2u << r) == 0; }))
      ++r;
    return r;
  }

  std::map<std::string, dealii::types::boundary_id> boundary_names() const override
  {
    return {{"x_min", 0}, {"x_max", 1}, {"y_min", 2},
            {"y_max", 3}, {"z_min", 4}, {"z_max", 5}};
  }

private:
  dealii::Point<3> p1, p2;
  std::vector<unsigned int> subdivisions = {1, 1, 1};
  unsigned int label = 1;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(MeshGenerator, BoxMesh, "box",
                           "a box of one tissue (benchmarks, slab verification)")
} // namespace ferrotherm
