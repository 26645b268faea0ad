// AdvectionDiffusionIron: assembly of the SUPG-stabilised operator,
//   system = (a0/dt)(M + M_supg) + K,  tau = h/(2|u|)(coth Pe - 1/Pe),
// with the outflow face terms c u.n, the stabilised sources, the velocity u_fluid + u_mag
// (+ Darcy), and the boundary conditions (fixed concentrations lifted as constraints).
#include "physics/transport/advection_diffusion_iron.h"

#include "core/boundary_names.h"
#include "core/input_error.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/text_parsing.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <cmath>

namespace ferrotherm
{
using namespace dealii;

void AdvectionDiffusionIron::parse_boundaries()
{
  const std::string where = "Transport/Advection diffusion/Boundary conditions";
  const auto names = simulator->boundary_names();
  const auto ids = simulator->boundary_ids_in_mesh();
  boundary_types.clear();
  fixed_values.clear();
  for (const auto &entry : parse_key_value_list(boundary_text, where))
  {
    const types::boundary_id id = resolve_boundary(entry.first, names, ids, where);
    if (entry.second == "outflow")
      boundary_types[id] = TransportBoundary::outflow;
    else if (entry.second.compare(0, 19, "fixed concentration") == 0)
    {
      boundary_types[id] = TransportBoundary::fixed;
      fixed_values[id] = std::make_unique<ParsedFunction>(
          entry.second.substr(19),
          where + " (boundary '" + entry.first + "', fixed concentration)",
          function_constants);
      fixed_in_time |= fixed_values[id]->depends_on_time();
      if (fixed_values[id]->is_constant() && fixed_values[id]->value(Point<3>()) < 0)
        throw_input_error(where, "a fixed concentration must be non-negative");
    }
    else
      throw_input_error(where, "unknown condition '" + entry.second +
                                   "'; expected 'outflow' or 'fixed concentration c'");
  }
  has_fixed_boundaries = !fixed_values.empty();
}

// constraints: hanging nodes and c = c_b(t) on the fixed-concentration boundaries;
// zero_constraints: the same with c = 0 (for the assembly; the data are lifted).
void AdvectionDiffusionIron::setup_constraints(double t)
{
  const ScalarSpace &space = simulator->scalar_space();
  std::map<types::boundary_id, const ParsedFunction *> functions;
  for (const auto &value : fixed_values)
    functions[value.first] = value.second.get();
  interpolate_boundary_expressions(functions, *space.mapping, space.dof_handler, t,
                                   fixed_dofs);
  for (const auto &value : fixed_dofs)
    if (!(value.second >= 0))
      throw_input_error("Transport/Advection diffusion/Boundary conditions",
                        "a fixed concentration must be non-negative, found " +
                            std::to_string(value.second) +
                            " kg/m^3 at t = " + std::to_string(t) + " s");
  make_dirichlet_constraints(fixed_dofs, space, false, constraints, &fixed_owned);
  make_dirichlet_constraints(fixed_dofs, space, true, zero_constraints);
}

// Before a solve to t (after the right-hand side without boundary terms is built):
// the fixed concentrations at t, their lifting into rhs (mass_factor = a0/dt and the
// history (a1 c^n + a2 c^(n-1))/dt, none for a steady solve) and the start of the
// solve made to meet them.
void AdvectionDiffusionIron::apply_fixed_concentrations(double t, double mass_factor,
                                                        const FieldVector *history)
{
  if (!has_fixed_boundaries)
    return;
  if (fixed_in_time)
    setup_constraints(t);
  lifting.add_lifting(constraints, mass_factor, history, zero_constraints, rhs);
  for (const auto index : fixed_owned)
    rhs(index) = system_matrix.diag_element(index) * fixed_dofs.at(index);
  rhs.compress(VectorOperation::insert);
  constraints.distribute(solution);
}

double AdvectionDiffusionIron::label_value(const std::map<unsigned int, double> &values,
                                           unsigned int label, double fallback)
{
  const auto it = values.find(label);
  return it == values.end() ? fallback : it->second;
}

// system = factor (M + M_supg) + K; history_matrix = M + M_supg; source vectors.
// The system and history matrices for the step factor a0/dt and the magnet state; the
// SUPG parameter at every quadrature point is kept for the source assembly, and the
// cell matrices at fixed-concentration boundaries for their lifting.
void AdvectionDiffusionIron::assemble_matrices(double factor, bool magnet_on)
{
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell(), n_q = space.cell_quadrature.size();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_hessians |
                            update_quadrature_points | update_JxW_values);
  FEFaceValues<3> face_values(*space.mapping, space.fe, space.face_quadrature,
                              update_values | update_gradients | update_normal_vectors |
                                  update_quadrature_points | update_JxW_values);
  FullMatrix<double> cell_system(n, n), cell_history(n, n);
  std::vector<types::global_dof_index> indices(n);
  std::vector<double> advective(n);
  system_matrix = 0;
  history_matrix = 0;
  lifting.reinit(fixed_dofs, space.hanging_node_constraints);
  supg_tau.resize(magnet_velocity.size());
  unsigned int cell_number = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    const unsigned int label = cell->material_id();
    const double diffusivity =
        label_value(diffusivity_by_label, label, default_diffusivity);
    const double reaction =
        label_value(uptake_by_label, label, default_uptake) + clearance;
    cell_system = 0;
    cell_history = 0;
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const unsigned int k = cell_number * n_q + q;
      const Tensor<1, 3> u =
          fluid_velocity_values[k] + (magnet_on ? magnet_velocity[k] : Tensor<1, 3>());
      const double speed = u.norm();
      // SUPG parameter with the element length along u (Tezduyar's formula).
      double tau = 0;
      double sum = 0;
      for (unsigned int i = 0; i < n; ++i)
      {
        advective[i] = u * fe_values.shape_grad(i, q);
        sum += std::abs(advective[i]);
      }
      if (speed > 0 && sum > 0)
      {
        const double h = 2 * speed / sum;
        const double peclet = speed * h / (2 * std::max(diffusivity, 1e-300));
        const double xi =
            peclet > 30 ? 1 - 1 / peclet : 1 / std::tanh(peclet) - 1 / peclet;
        tau = h / (2 * speed) * xi;
      }
      supg_tau[k] = tau;
      const double dx = fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
      {
        const double phi_i = fe_values.shape_value(i, q);
        const double test = phi_i + tau * advective[i];
        for (unsigned int j = 0; j < n; ++j)
        {
          const double phi_j = fe_values.shape_value(j, q);
          cell_history(i, j) += test * phi_j * dx;
          // SUPG acts on the full residual: u.grad c - D lap c + k c (the Laplacian
          // vanishes for trilinear elements but not for quadratic ones).
          const double laplacian = trace(fe_values.shape_hessian(j, q));
          cell_system(i, j) +=
              (diffusivity * (fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q)) -
               phi_j * advective[i] + reaction * phi_i * phi_j +
               tau * advective[i] *
                   (advective[j] - diffusivity * laplacian + reaction * phi_j)) *
              dx;
        }
      }
    }
    // Outflow boundaries: the advective flux c u.n leaves where u.n > 0.
    for (const unsigned int f : cell->face_indices())
      if (cell->face(f)->at_boundary())
      {
        const auto type = boundary_types.find(cell->face(f)->boundary_id());
        if (type == boundary_types.end() || type->second != TransportBoundary::outflow)
          continue;
        face_values.reinit(cell, f);
        for (unsigned int q = 0; q < face_values.n_quadrature_points; ++q)
        {
          const double un =
              face_velocity(face_values, q, magnet_on) * face_values.normal_vector(q);
          if (un <= 0)
            continue;
          for (unsigned int i = 0; i < n; ++i)
            for (unsigned int j = 0; j < n; ++j)
              cell_system(i, j) += un * face_values.shape_value(i, q) *
                                   face_values.shape_value(j, q) * face_values.JxW(q);
        }
      }
    cell->get_dof_indices(indices);
    if (has_fixed_boundaries)
      lifting.add_cell(indices, cell_history, cell_system);
    for (unsigned int i = 0; i < n; ++i)
      for (unsigned int j = 0; j < n; ++j)
        cell_system(i, j) += factor * cell_history(i, j);
    zero_constraints.distribute_local_to_global(cell_system, indices, system_matrix);
    zero_constraints.distribute_local_to_global(cell_history, indices, history_matrix);
    ++cell_number;
  }
  system_matrix.compress(VectorOperation::add);
  history_matrix.compress(VectorOperation::add);
  solver.matrix_changed();
  assembled_factor = factor;
  assembled_magnet = magnet_on;
  ++matrix_assemblies;
}

// source_rhs = (S(t) + k_ex C_p(t), phi + tau u.grad phi) with the SUPG parameter and
// velocity of the last matrix assembly; source_power = integral of S;
// source_fixed_rows = the sum of its fixed-concentration rows.
void AdvectionDiffusionIron::assemble_sources(double t)
{
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell(), n_q = space.cell_quadrature.size();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_quadrature_points |
                            update_JxW_values);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  source_rhs = 0;
  const double plasma = plasma_concentration(t);
  source_power = 0;
  double fixed_rows = 0;
  unsigned int cell_number = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    const double extravasation =
        label_value(extravasation_by_label, cell->material_id(), 0.0) * plasma;
    cell_rhs = 0;
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const unsigned int k = cell_number * n_q + q;
      const Tensor<1, 3> u = fluid_velocity_values[k] +
                             (assembled_magnet ? magnet_velocity[k] : Tensor<1, 3>());
      const double s = source->value(fe_values.quadrature_point(q), t) + extravasation;
      const double dx = fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
        cell_rhs(i) += s *
                       (fe_values.shape_value(i, q) +
                        supg_tau[k] * (u * fe_values.shape_grad(i, q))) *
                       dx;
      source_power += s * dx;
    }
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      if (fixed_dofs.count(indices[i]))
        fixed_rows += cell_rhs(i);
    zero_constraints.distribute_local_to_global(cell_rhs, indices, source_rhs);
    ++cell_number;
  }
  source_rhs.compress(VectorOperation::add);
  source_power = Utilities::MPI::sum(source_power, simulator->mpi_communicator());
  source_fixed_rows = Utilities::MPI::sum(fixed_rows, simulator->mpi_communicator());
}

Tensor<1, 3> AdvectionDiffusionIron::velocity_at_point(const Point<3> &x,
                                                       bool magnet_on) const
{
  Tensor<1, 3> u;
  for (unsigned int d = 0; d < 3; ++d)
    u[d] = fluid_velocity[d]->value(x);
  if (magnet_on)
  {
    double b;
    Tensor<1, 3> gradient;
    magnetic_gradient(magnets.list(), x, gradient_step, b, gradient);
    u += magnetophoretic_velocity(particles, b, gradient);
  }
  return u;
}

// Velocity at a face quadrature point, Darcy flow included (p from the face's cell).
Tensor<1, 3> AdvectionDiffusionIron::face_velocity(const FEFaceValues<3> &face_values,
                                                   unsigned int q, bool magnet_on) const
{
  Tensor<1, 3> u = velocity_at_point(face_values.quadrature_point(q), magnet_on);
  if (interstitial_velocity != nullptr)
  {
    std::vector<Tensor<1, 3>> darcy;
    interstitial_velocity->evaluate(face_values, darcy);
    u += darcy[q];
  }
  return u;
}
} // namespace ferrotherm
