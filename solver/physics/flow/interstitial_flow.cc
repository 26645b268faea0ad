// Darcy-Starling interstitial flow (see interstitial_flow.h).
#include "physics/flow/interstitial_flow.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/scalar_linear_solver.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/text_parsing.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>

namespace ferrotherm
{
using namespace dealii;

namespace
{
const std::string tissue_parameters = "Interstitial flow/Tissue parameters";
}

void InterstitialFlow::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Interstitial flow");
  prm.declare_entry(
      "Model", "none", Patterns::Selection("none|darcy starling"),
      "'darcy starling': the steady Darcy-Starling interstitial pressure (p = 0 on the "
      "boundary); its velocity -K grad p is added to the particle drift of MNP "
      "transport. 'none': no interstitial flow.");
  prm.declare_entry(
      "Tissue parameters", "1: 6.4e-15, 2.7e-8, 0; 2: 3.1e-14, 4.2e-7, 1530",
      Patterns::Anything(),
      "Per label 'label: K, L_p S/V, p_e' [m^2/(Pa s) in (0, 1e-6], 1/(Pa s) in [0, "
      "1], Pa with |p_e| <= 1e5]. Defaults "
      "after Baxter & Jain 1989: tumour (2) K = 4.13e-8 cm^2/(mmHg s), L_p = "
      "2.8e-7 cm/(mmHg s), S/V = 200 /cm, p_e = 11.5 mmHg; normal tissue (1) "
      "K = 8.53e-9 cm^2/(mmHg s), L_p = 0.36e-7 cm/(mmHg s), S/V = 100 /cm, "
      "p_e = 0 (lymphatic drainage balances filtration).");
  // Solved once per mesh: a tolerance far below the discretisation error costs little
  // and keeps the filtration integral (p_e - p cancels in the tumour) accurate.
  prm.enter_subsection("Linear solver");
  ScalarLinearSolver::declare_parameters(prm, "amg", "1e-12");
  prm.leave_subsection();
  prm.leave_subsection();
}

void InterstitialFlow::parse_parameters(ParameterHandler &prm, const RunContext &)
{
  enabled = prm.get("Model") == "darcy starling";
  by_label.clear();
  for (const auto &entry :
       parse_key_value_list(prm.get("Tissue parameters"), tissue_parameters))
  {
    const auto values = parse_double_list(entry.second, tissue_parameters, 3);
    const std::string label = tissue_parameters + " (label " + entry.first + ")";
    check_range(values[0], 0, 1e-6, label + " K", "m^2/(Pa s)", LowerBound::exclusive);
    check_range(values[1], 0, 1, label + " L_p S/V", "1/(Pa s)");
    check_magnitude(values[2], 1e5, label + " p_e", "Pa");
    by_label[parse_unsigned(entry.first, tissue_parameters)] = {values[0], values[1],
                                                                values[2]};
  }
  prm.enter_subsection("Linear solver");
  solver.parse_parameters(prm);
  prm.leave_subsection();
}

void InterstitialFlow::initialize(Simulator &sim)
{
  simulator = &sim;
  if (!enabled)
    return;
  for (const unsigned int label : sim.labels_in_mesh())
    if (by_label.count(label) == 0)
      throw_input_error(tissue_parameters, "no Darcy-Starling parameters for label " +
                                               std::to_string(label));
  sim.fields().add("interstitial_pressure", "Pa", "interstitial fluid pressure",
                   "Interstitial flow", &pressure_field);
  sim.fields().add_vector("interstitial_velocity", "m/s",
                          "interstitial fluid velocity -K grad p", "Interstitial flow",
                          &velocity_field);
}

void InterstitialFlow::setup()
{
  if (!enabled)
    return;
  assemble_and_solve();
  compute_balance();
  ++version;
}

void InterstitialFlow::assemble_and_solve()
{
  const ScalarSpace &space = simulator->scalar_space();
  const MPI_Comm comm = space.dof_handler.get_communicator();
  AffineConstraints<double> constraints;
  constraints.reinit(space.locally_relevant);
  constraints.merge(space.hanging_node_constraints);
  for (const auto id : space.dof_handler.get_triangulation().get_boundary_ids())
    VectorTools::interpolate_boundary_values(*space.mapping, space.dof_handler, id,
                                             Functions::ZeroFunction<3>(), constraints);
  constraints.close();
  DynamicSparsityPattern pattern;
  space.make_sparsity_pattern(constraints, pattern);
  LA::MPI::SparseMatrix matrix;
  matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
  LA::MPI::Vector rhs(space.locally_owned, comm), solution(space.locally_owned, comm);
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_JxW_values);
  const unsigned int n = space.fe.n_dofs_per_cell();
  FullMatrix<double> cell_matrix(n, n);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space.dof_handler.active_cell_iterators())
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
  solver.set_higher_order(space.fe.degree > 1);
  solver.matrix_changed();
  n_iterations =
      solver.solve(matrix, matrix, solution, rhs, "Interstitial flow (pressure)");
  constraints.distribute(solution);
  pressure = space.make_field_vector();
  copy_owned_values(solution, pressure);
  pressure.update_ghost_values();
}

void InterstitialFlow::compute_balance()
{
  const ScalarSpace &space = simulator->scalar_space();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_JxW_values);
  FEFaceValues<3> face_values(*space.mapping, space.fe, space.face_quadrature,
                              update_gradients | update_normal_vectors |
                                  update_JxW_values);
  std::vector<double> p(space.cell_quadrature.size());
  std::vector<Tensor<1, 3>> grad_p(space.face_quadrature.size());
  double filtration = 0, outflow = 0, largest = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    const Coefficients &c = by_label.at(cell->material_id());
    fe_values.reinit(cell);
    fe_values.get_function_values(pressure, p);
    for (unsigned int q = 0; q < p.size(); ++q)
    {
      filtration += c.filtration * (c.effective_pressure - p[q]) * fe_values.JxW(q);
      largest = std::max(largest, std::abs(p[q]));
    }
    for (const auto &face : cell->face_iterators())
    {
      if (!face->at_boundary())
        continue;
      face_values.reinit(cell, face);
      face_values.get_function_gradients(pressure, grad_p);
      for (unsigned int q = 0; q < grad_p.size(); ++q)
        outflow -= c.conductivity * (grad_p[q] * face_values.normal_vector(q)) *
                   face_values.JxW(q);
    }
  }
  const MPI_Comm comm = simulator->mpi_communicator();
  vessel_filtration = Utilities::MPI::sum(filtration, comm);
  boundary_outflow = Utilities::MPI::sum(outflow, comm);
  pressure_max = Utilities::MPI::max(largest, comm);
}

void InterstitialFlow::add_statistics(StatisticsRow &row) const
{
  if (!enabled)
    return;
  row.emplace_back("interstitial_pressure_max_Pa", pressure_max);
  row.emplace_back("interstitial_vessel_filtration_m3_per_s", vessel_filtration);
  row.emplace_back("interstitial_boundary_outflow_m3_per_s", boundary_outflow);
  row.emplace_back("interstitial_pressure_iterations", n_iterations);
}

void InterstitialFlow::add_output(DataOut<3> &data_out)
{
  if (enabled)
    data_out.add_data_vector(simulator->scalar_space().dof_handler, pressure,
                             "interstitial_pressure");
}

void InterstitialFlow::PressureField::evaluate(const FEValues<3> &fe_values,
                                               std::vector<double> &values) const
{
  fe_values.get_function_values(flow->pressure, values);
}

void InterstitialFlow::VelocityField::evaluate(const FEValuesBase<3> &fe_values,
                                               std::vector<Tensor<1, 3>> &values) const
{
  values.resize(fe_values.n_quadrature_points);
  if (fe_values.get_update_flags() & update_gradients)
    fe_values.get_function_gradients(flow->pressure, values);
  else
  {
    // A consumer's cell values without gradients (a probe): evaluate them on its points.
    const auto *cell_values = dynamic_cast<const FEValues<3> *>(&fe_values);
    AssertThrow(cell_values != nullptr,
                ExcMessage("interstitial_velocity on faces needs update_gradients"));
    const ScalarSpace &space = flow->simulator->scalar_space();
    FEValues<3> gradients(*space.mapping, space.fe, cell_values->get_quadrature(),
                          update_gradients);
    gradients.reinit(typename DoFHandler<3>::active_cell_iterator(
        &space.dof_handler.get_triangulation(), fe_values.get_cell()->level(),
        fe_values.get_cell()->index(), &space.dof_handler));
    gradients.get_function_gradients(flow->pressure, values);
  }
  const double k = flow->by_label.at(fe_values.get_cell()->material_id()).conductivity;
  for (auto &u : values)
    u *= -k;
}
} // namespace ferrotherm
