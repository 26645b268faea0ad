// MeshAdaptivity: Kelly indicators of weighted fields and the refinement flags (see
// mesh_adaptivity.h).
#include "core/mesh_adaptivity.h"

#include "core/field_registry.h"
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/text_parsing.h"

#include <deal.II/base/mpi.h>
#include <deal.II/distributed/grid_refinement.h>
#include <deal.II/numerics/error_estimator.h>

namespace ferrotherm
{
using namespace dealii;

void MeshAdaptivity::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Adaptivity");
  prm.declare_entry("Enabled", "false", Patterns::Bool(),
                    "Refine and coarsen the mesh during the run by error indicators.");
  prm.declare_entry("Fields", "temperature: 1", Patterns::Anything(),
                    "Fields whose Kelly indicators decide, with weights: "
                    "'temperature: 1, iron: 0.5' (any field with nodal values).");
  prm.declare_entry("Refinement fraction", "0.3", Patterns::Double(0, 1),
                    "Fraction of the cells (largest indicators) refined per adaptation.");
  prm.declare_entry(
      "Coarsening fraction", "0.05", Patterns::Double(0, 1),
      "Fraction of the cells (smallest indicators) coarsened per adaptation.");
  prm.declare_entry("Maximum cells", "1000000", Patterns::Integer(1),
                    "Bound on the number of cells: refinement stops short of it.");
  prm.declare_entry("Maximum level", "8", Patterns::Integer(0, 30),
                    "Cells of this refinement level (coarse mesh: 0) are not refined.");
  prm.declare_entry("Interval", "0", Patterns::Integer(0),
                    "Transient runs: macro steps between adaptations (0: at every "
                    "output time).");
  prm.declare_entry(
      "Steady cycles", "3", Patterns::Integer(0, 20),
      "Steady runs: adaptations between solves (solve, adapt, ..., solve).");
  prm.leave_subsection();
}

void MeshAdaptivity::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Adaptivity");
  active = prm.get_bool("Enabled");
  refine_fraction = prm.get_double("Refinement fraction");
  coarsen_fraction = prm.get_double("Coarsening fraction");
  if (refine_fraction + coarsen_fraction > 1)
    throw_input_error("Adaptivity/Coarsening fraction",
                      "the refinement and coarsening fractions add up to more than 1");
  maximum_cells = prm.get_integer("Maximum cells");
  maximum_level = prm.get_integer("Maximum level");
  interval = prm.get_integer("Interval");
  cycles = prm.get_integer("Steady cycles");
  field_weights.clear();
  const std::string where = "Adaptivity/Fields";
  const std::string text = trim(prm.get("Fields"));
  if (active && text.empty())
    throw_input_error(where, "names no field ('temperature: 1, iron: 0.5')");
  if (!text.empty())
    for (const auto &item : split(text, ','))
    {
      const auto colon = item.find(':');
      if (colon == std::string::npos)
        throw_input_error(where, "expected 'field: weight', found '" + item + "'");
      const std::string name = trim(item.substr(0, colon));
      const double weight =
          parse_double(item.substr(colon + 1), where + " (" + name + ")");
      check_range(weight, 0, 1e6, where + " (" + name + ")", "");
      field_weights.emplace_back(name, weight);
    }
  prm.leave_subsection();
}

void MeshAdaptivity::check_fields(const FieldRegistry &fields) const
{
  if (!active)
    return;
  std::string available;
  for (const auto &[other, entry] : fields.entries())
    if (entry.field->nodal_values() != nullptr)
      available += (available.empty() ? "" : ", ") + other;
  for (const auto &[name, weight] : field_weights)
  {
    const Field *field = fields.find(name);
    if (field == nullptr || field->nodal_values() == nullptr)
      throw_input_error("Adaptivity/Fields",
                        "'" + name + "' is not a field with nodal values of this run; " +
                            "available: " + available);
  }
}

void MeshAdaptivity::mark_cells(parallel::distributed::Triangulation<3> &triangulation,
                                const ScalarSpace &space, const FieldRegistry &fields,
                                unsigned int initial_level) const
{
  const MPI_Comm comm = triangulation.get_communicator();
  Vector<float> indicators(triangulation.n_active_cells());
  Vector<float> field_indicators(triangulation.n_active_cells());
  const QGauss<2> face_quadrature(space.fe.degree + 1);
  for (const auto &[name, weight] : field_weights)
  {
    if (weight == 0)
      continue;
    const FieldVector &values = *fields.find(name)->nodal_values();
    KellyErrorEstimator<3>::estimate(*space.mapping, space.dof_handler, face_quadrature,
                                     {}, values, field_indicators, ComponentMask(),
                                     nullptr, numbers::invalid_unsigned_int,
                                     triangulation.locally_owned_subdomain());
    const double largest =
        Utilities::MPI::max(static_cast<double>(field_indicators.linfty_norm()), comm);
    if (largest > 0)
      indicators.add(static_cast<float>(weight / largest), field_indicators);
  }
  parallel::distributed::GridRefinement::refine_and_coarsen_fixed_number(
      triangulation, indicators, refine_fraction, coarsen_fraction, maximum_cells);
  for (const auto &cell : triangulation.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    if (cell->level() >= static_cast<int>(maximum_level))
      cell->clear_refine_flag();
    if (cell->level() <= static_cast<int>(initial_level))
      cell->clear_coarsen_flag();
    for (const unsigned int f : cell->face_indices())
      if (!cell->at_boundary(f) &&
          cell->neighbor(f)->material_id() != cell->material_id())
        cell->clear_coarsen_flag();
  }
}
} // namespace ferrotherm
