// Lumped L2 projection (see nodal_projection.h).
#include "core/nodal_projection.h"

#include "core/field_registry.h"
#include "core/scalar_space.h"

#include <deal.II/fe/fe_values.h>

namespace ferrotherm
{
using namespace dealii;

FieldVector lumped_projection(const ScalarSpace &space, const Field &field)
{
  FieldVector weighted = space.make_field_vector(), weight = space.make_field_vector();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_quadrature_points | update_JxW_values);
  const unsigned int n = space.fe.n_dofs_per_cell(), n_q = space.cell_quadrature.size();
  std::vector<double> values(n_q);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    field.evaluate(fe_values, values);
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      for (unsigned int q = 0; q < n_q; ++q)
      {
        const double w = fe_values.shape_value(i, q) * fe_values.JxW(q);
        weighted(indices[i]) += w * values[q];
        weight(indices[i]) += w;
      }
  }
  weighted.compress(VectorOperation::add);
  weight.compress(VectorOperation::add);
  for (unsigned int i = 0; i < weighted.locally_owned_size(); ++i)
    if (weight.local_element(i) != 0)
      weighted.local_element(i) /= weight.local_element(i);
  // Hanging nodes take the values of their masters (a conforming field).
  space.hanging_node_constraints.distribute(weighted);
  weighted.update_ghost_values();
  return weighted;
}
} // namespace ferrotherm
