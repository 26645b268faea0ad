// PennesHeat: boundary data that change in time (see heat_boundary_conditions.h for the
// conditions, dirichlet_lifting.h for the lifting). Before every step to t_(n+1):
// - fixed temperatures T_b(x, t_(n+1)) become the new inhomogeneities, and their lifting
//   -K T_b - M (a0 T_b + a1 T^n + a2 T^(n-1)) / dt enters the right-hand side;
// - heat flux q(x, t_(n+1)) and h T_inf(x, t_(n+1)) enter the right-hand side;
// with the heat-balance integrals of those terms (flux_in, convection_ambient and the
// sums over the fixed-temperature rows), so the balance stays closed. Neither the matrix
// (h may vary in space only) nor the preconditioner changes.
#include "core/simulator.h"
#include "physics/heat/pennes_heat.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/vector.h>

namespace ferrotherm
{
using namespace dealii;

void PennesHeat::build_dirichlet_constraints(double t)
{
  const ScalarSpace &space = simulator->scalar_space();
  interpolate_fixed_temperatures(boundary_conditions, *space.mapping, space.dof_handler,
                                 t, dirichlet_values);
  make_dirichlet_constraints(dirichlet_values, space, false, dirichlet_constraints,
                             &dirichlet_owned);
  // Weights of the rows in the heat flow through fixed-temperature boundaries: the test
  // function of a fixed dof j is phi_j plus its share c_hj of every hanging phi_h, so a
  // hanging row counts with the sum of its fixed masters' weights (1 on the boundary,
  // a fraction next to it).
  dirichlet_row_weights.clear();
  for (const auto &[index, value] : dirichlet_values)
    if (!space.hanging_node_constraints.is_constrained(index))
      dirichlet_row_weights[index] = 1;
  for (const auto &line : space.hanging_node_constraints.get_lines())
  {
    double weight = 0;
    for (const auto &[master, coefficient] : line.entries)
      if (dirichlet_values.count(master) &&
          !space.hanging_node_constraints.is_constrained(master))
        weight += coefficient;
    if (weight != 0)
      dirichlet_row_weights[line.index] = weight;
  }
}

double PennesHeat::dirichlet_row_weight(types::global_dof_index index) const
{
  const auto entry = dirichlet_row_weights.find(index);
  return entry == dirichlet_row_weights.end() ? 0.0 : entry->second;
}

void PennesHeat::update_boundary_data(double t_new, double dt, double a0, double a1,
                                      double a2)
{
  if (!dirichlet_in_time && !boundary_flux_in_time)
    return;
  constant_rhs = static_rhs;
  constant_integrals = static_integrals;
  if (boundary_flux_in_time)
    assemble_time_dependent_boundary_sources(t_new);
  if (!dirichlet_in_time)
    return;

  build_dirichlet_constraints(t_new);
  dirichlet_rhs_values.resize(dirichlet_owned.size());
  for (unsigned int k = 0; k < dirichlet_owned.size(); ++k)
    dirichlet_rhs_values[k] = system_matrix.diag_element(dirichlet_owned[k]) *
                              dirichlet_values.at(dirichlet_owned[k]);
  const bool transient = dt > 0;
  FieldVector mass_history;
  if (transient)
  {
    // (a1 T^n + a2 T^(n-1)) / dt, ghosted, for the history part of the lifting.
    work.equ(a1 / dt, history.level(0));
    if (a2 != 0)
      work.add(a2 / dt, history.level(1));
    mass_history = simulator->scalar_space().make_field_vector();
    copy_owned_values(work, mass_history);
    mass_history.update_ghost_values();
  }
  dirichlet_lifting.add_lifting(dirichlet_constraints, transient ? a0 / dt : 0.0,
                                transient ? &mass_history : nullptr, zero_constraints,
                                constant_rhs);
  dirichlet_constraints.distribute(solution); // the start of the solve meets the data
}

void PennesHeat::assemble_time_dependent_boundary_sources(double t)
{
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell();
  FEFaceValues<3> fe_face_values(*space.mapping, space.fe, space.face_quadrature,
                                 update_values | update_quadrature_points |
                                     update_JxW_values);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  Integrals integrals;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned() || !cell->at_boundary())
      continue;
    cell_rhs = 0;
    bool any = false;
    for (const unsigned int f : cell->face_indices())
    {
      if (!cell->face(f)->at_boundary())
        continue;
      const auto condition = boundary_conditions.find(cell->face(f)->boundary_id());
      if (condition == boundary_conditions.end() ||
          condition->second.type == HeatBoundaryCondition::Type::fixed_temperature ||
          !condition->second.depends_on_time())
        continue;
      const HeatBoundaryCondition &bc = condition->second;
      fe_face_values.reinit(cell, f);
      any = true;
      for (unsigned int q = 0; q < fe_face_values.n_quadrature_points; ++q)
      {
        const Point<3> &x = fe_face_values.quadrature_point(q);
        const double ds = fe_face_values.JxW(q);
        // q(x, t) for a heat flux, h(x) T_inf(x, t) for a convective boundary.
        const double source =
            bc.type == HeatBoundaryCondition::Type::heat_flux
                ? bc.value->value(x, t)
                : bc.heat_transfer_coefficient(x) * bc.ambient->value(x, t);
        for (unsigned int i = 0; i < n; ++i)
          cell_rhs(i) += source * fe_face_values.shape_value(i, q) * ds;
        (bc.type == HeatBoundaryCondition::Type::heat_flux
             ? integrals.flux_in
             : integrals.convection_ambient) += source * ds;
      }
    }
    if (!any)
      continue;
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      integrals.dirichlet_rows += dirichlet_row_weight(indices[i]) * cell_rhs(i);
    zero_constraints.distribute_local_to_global(cell_rhs, indices, constant_rhs);
  }
  constant_rhs.compress(VectorOperation::add);
  const MPI_Comm comm = simulator->mpi_communicator();
  constant_integrals.flux_in += Utilities::MPI::sum(integrals.flux_in, comm);
  constant_integrals.convection_ambient +=
      Utilities::MPI::sum(integrals.convection_ambient, comm);
  constant_integrals.dirichlet_rows +=
      Utilities::MPI::sum(integrals.dirichlet_rows, comm);
}
} // namespace ferrotherm
