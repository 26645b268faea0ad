// Darcy-Starling interstitial flow (see interstitial_flow.h).
#include "physics/transport/interstitial_flow.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/scalar_linear_solver.h"
#include "core/scalar_space.h"
#include "core/text_parsing.h"

#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/vector_tools.h>

namespace ferrotherm
{
using namespace dealii;

void InterstitialFlow::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Interstitial flow");
  prm.declare_entry(
      "Darcy flow", "false", Patterns::Bool(),
      "Add the Darcy-Starling interstitial flow (p = 0 on the boundary) to the "
      "prescribed fluid velocity.");
  prm.declare_entry(
      "Tissue parameters", "1: 6.4e-15, 2.7e-8, 0; 2: 3.1e-14, 4.2e-7, 1530",
      Patterns::Anything(),
      "Per label 'label: K, L_p S/V, p_e' [m^2/(Pa s) in (0, 1e-6], 1/(Pa s) in [0, "
      "1], Pa with |p_e| <= 1e5]. Defaults "
      "after Baxter & Jain 1989: tumour (2) K = 4.13e-8 cm^2/(mmHg s), L_p = "
      "2.8e-7 cm/(mmHg s), S/V = 200 /cm, p_e = 11.5 mmHg; normal tissue (1) "
      "K = 8.53e-9 cm^2/(mmHg s), L_p = 0.36e-7 cm/(mmHg s), S/V = 100 /cm, "
      "p_e = 0 (lymphatic drainage balances filtration).");
  prm.leave_subsection();
}

void InterstitialFlow::parse_parameters(ParameterHandler &prm)
{
  const std::string where =
      "Transport/Advection diffusion/Interstitial flow/Tissue parameters";
  prm.enter_subsection("Interstitial flow");
  enabled = prm.get_bool("Darcy flow");
  by_label.clear();
  for (const auto &entry : parse_key_value_list(prm.get("Tissue parameters"), where))
  {
    const auto values = parse_double_list(entry.second, where, 3);
    const std::string label = where + " (label " + entry.first + ")";
    check_range(values[0], 0, 1e-6, label + " K", "m^2/(Pa s)", LowerBound::exclusive);
    check_range(values[1], 0, 1, label + " L_p S/V", "1/(Pa s)");
    check_magnitude(values[2], 1e5, label + " p_e", "Pa");
    by_label[parse_unsigned(entry.first, where)] = {values[0], values[1], values[2]};
  }
  prm.leave_subsection();
}

void InterstitialFlow::check_labels(const std::set<unsigned int> &labels) const
{
  if (!enabled)
    return;
  for (const unsigned int label : labels)
    if (by_label.count(label) == 0)
      throw_input_error(
          "Transport/Advection diffusion/Interstitial flow/Tissue parameters",
          "no Darcy-Starling parameters for label " + std::to_string(label));
}

void InterstitialFlow::solve(const ScalarSpace &scalar_space)
{
  space = &scalar_space;
  const MPI_Comm comm = space->dof_handler.get_communicator();
  AffineConstraints<double> constraints;
  constraints.reinit(space->locally_relevant);
  constraints.merge(space->hanging_node_constraints);
  for (const auto id : space->dof_handler.get_triangulation().get_boundary_ids())
    VectorTools::interpolate_boundary_values(*space->mapping, space->dof_handler, id,
                                             Functions::ZeroFunction<3>(), constraints);
  constraints.close();
  DynamicSparsityPattern pattern(space->locally_relevant);
  DoFTools::make_sparsity_pattern(space->dof_handler, pattern, constraints, false);
  SparsityTools::distribute_sparsity_pattern(pattern, space->locally_owned, comm,
                                             space->locally_relevant);
  LA::MPI::SparseMatrix matrix;
  matrix.reinit(space->locally_owned, space->locally_owned, pattern, comm);
  LA::MPI::Vector rhs(space->locally_owned, comm), solution(space->locally_owned, comm);
  FEValues<3> fe_values(*space->mapping, space->fe, space->cell_quadrature,
                        update_values | update_gradients | update_JxW_values);
  const unsigned int n = space->fe.n_dofs_per_cell();
  FullMatrix<double> cell_matrix(n, n);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space->dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    const Coefficients &c = by_label.at(cell->material_id());
    fe_values.reinit(cell);
    cell_matrix = 0;
    cell_rhs = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      for (unsigned int i = 0; i < n; ++i)
      {
        for (unsigned int j = 0; j < n; ++j)
          cell_matrix(i, j) +=
              (c.conductivity *
                   (fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q)) +
               c.filtration * fe_values.shape_value(i, q) * fe_values.shape_value(j, q)) *
              fe_values.JxW(q);
        cell_rhs(i) += c.filtration * c.effective_pressure * fe_values.shape_value(i, q) *
                       fe_values.JxW(q);
      }
    cell->get_dof_indices(indices);
    constraints.distribute_local_to_global(cell_matrix, cell_rhs, indices, matrix, rhs);
  }
  matrix.compress(VectorOperation::add);
  rhs.compress(VectorOperation::add);
  ScalarLinearSolver solver;
  solver.solve(matrix, matrix, solution, rhs, "Transport (interstitial pressure)", 1e-12);
  constraints.distribute(solution);
  pressure_values = space->make_field_vector();
  copy_owned_values(solution, pressure_values);
  pressure_values.update_ghost_values();
}

void InterstitialFlow::velocity(const FEValues<3> &fe_values,
                                std::vector<Tensor<1, 3>> &u) const
{
  // The caller's FEValues may lack gradients: evaluate them on the same points.
  const Quadrature<3> &quadrature = fe_values.get_quadrature();
  FEValues<3> gradients(*space->mapping, space->fe, quadrature, update_gradients);
  const typename DoFHandler<3>::active_cell_iterator cell(
      &space->dof_handler.get_triangulation(), fe_values.get_cell()->level(),
      fe_values.get_cell()->index(), &space->dof_handler);
  gradients.reinit(cell);
  std::vector<Tensor<1, 3>> grad_p(quadrature.size());
  gradients.get_function_gradients(pressure_values, grad_p);
  const double k = by_label.at(cell->material_id()).conductivity;
  u.resize(quadrature.size());
  for (unsigned int q = 0; q < quadrature.size(); ++q)
    u[q] = -k * grad_p[q];
}
} // namespace ferrotherm
