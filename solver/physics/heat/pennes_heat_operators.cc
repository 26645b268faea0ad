// PennesHeat, the discrete operators: constraints (hanging nodes, fixed temperatures),
// the sparsity pattern, the constant matrices rho c M and K + W_lin M + h M_boundary with
// their source vector and heat-balance weights, the field sources c_Fe SLP(|H|, f, T) +
// Q_eddy, the additional source, and the temperature-dependent perfusion W(T)(T - T_a)
// with its Jacobian.
#include "physics/heat/pennes_heat.h"

#include "core/bdf_history.h"
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/parsed_function.h"
#include "core/parsed_function_at_time.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"
#include "models/perfusion/perfusion_model.h"

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
namespace ferrotherm
{
using namespace dealii;

void PennesHeat::setup_constraints()
{
  const ScalarSpace &space = simulator->scalar_space();
  build_dirichlet_constraints(0.0);
  make_dirichlet_constraints(dirichlet_values, space, true, zero_constraints);
  dirichlet_lifting.reinit(dirichlet_values, space.hanging_node_constraints);
}

void PennesHeat::setup_matrices()
{
  const ScalarSpace &space = simulator->scalar_space();
  const MPI_Comm comm = simulator->mpi_communicator();
  DynamicSparsityPattern pattern;
  space.make_sparsity_pattern(zero_constraints, pattern);
  for (LA::MPI::SparseMatrix *matrix :
       {&mass_matrix, &stiffness_matrix, &system_matrix, &newton_matrix})
    matrix->reinit(space.locally_owned, space.locally_owned, pattern, comm);
  system_matrix_factor = -1;
}

void PennesHeat::assemble_linear_operators()
{
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_JxW_values);
  FEFaceValues<3> fe_face_values(*space.mapping, space.fe, space.face_quadrature,
                                 update_values | update_quadrature_points |
                                     update_JxW_values);
  FullMatrix<double> cell_mass(n, n), cell_stiffness(n, n);
  Vector<double> cell_rhs(n), cell_capacity(n), cell_perfusion(n), cell_convection(n),
      cell_mass_columns(n), cell_stiffness_columns(n);
  std::vector<types::global_dof_index> indices(n);
  std::vector<double> row_weight(n);

  mass_matrix = 0;
  stiffness_matrix = 0;
  constant_rhs = 0;
  heat_capacity_weights = 0;
  perfusion_weights = 0;
  convection_weights = 0;
  dirichlet_mass_columns = 0;
  dirichlet_stiffness_columns = 0;
  Integrals integrals;

  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    const TissueCoefficients &c = coefficients[cell->material_id()];
    const double linear_perfusion =
        c.perfusion_is_linear
            ? c.perfusion->coefficient(arterial_temperature, c.perfusion_baseline,
                                       blood_specific_heat)
            : 0.0;
    fe_values.reinit(cell);
    cell_mass = 0;
    cell_stiffness = 0;
    cell_rhs = 0;
    cell_capacity = 0;
    cell_perfusion = 0;
    cell_convection = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
    {
      const double dx = fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
      {
        const double phi_i = fe_values.shape_value(i, q);
        for (unsigned int j = 0; j < n; ++j)
        {
          const double phi_ij = phi_i * fe_values.shape_value(j, q) * dx;
          cell_mass(i, j) += c.heat_capacity * phi_ij;
          cell_stiffness(i, j) +=
              c.conductivity * (fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q)) *
                  dx +
              linear_perfusion * phi_ij;
        }
        cell_rhs(i) +=
            (c.metabolic_heat + linear_perfusion * arterial_temperature) * phi_i * dx;
        cell_capacity(i) += c.heat_capacity * phi_i * dx;
        cell_perfusion(i) += linear_perfusion * phi_i * dx;
      }
      integrals.metabolic += c.metabolic_heat * dx;
      integrals.perfusion_arterial += linear_perfusion * arterial_temperature * dx;
    }
    for (const unsigned int f : cell->face_indices())
    {
      if (!cell->face(f)->at_boundary())
        continue;
      const auto condition = boundary_conditions.find(cell->face(f)->boundary_id());
      if (condition == boundary_conditions.end() ||
          condition->second.type == HeatBoundaryCondition::Type::fixed_temperature)
        continue;
      fe_face_values.reinit(cell, f);
      const HeatBoundaryCondition &bc = condition->second;
      // Data that use t enter the right-hand side every step (pennes_heat_boundary.cc).
      const bool static_data = !bc.depends_on_time();
      for (unsigned int q = 0; q < fe_face_values.n_quadrature_points; ++q)
      {
        const double ds = fe_face_values.JxW(q);
        const Point<3> &x = fe_face_values.quadrature_point(q);
        if (bc.type == HeatBoundaryCondition::Type::heat_flux)
        {
          if (!static_data)
            continue;
          const double flux = bc.value->value(x);
          for (unsigned int i = 0; i < n; ++i)
            cell_rhs(i) += flux * fe_face_values.shape_value(i, q) * ds;
          integrals.flux_in += flux * ds;
        }
        else
        {
          const double h = bc.heat_transfer_coefficient(x);
          const double ambient = static_data ? bc.ambient->value(x) : 0.0;
          for (unsigned int i = 0; i < n; ++i)
          {
            const double phi_i = fe_face_values.shape_value(i, q);
            for (unsigned int j = 0; j < n; ++j)
              cell_stiffness(i, j) += h * phi_i * fe_face_values.shape_value(j, q) * ds;
            cell_rhs(i) += h * ambient * phi_i * ds;
            cell_convection(i) += h * phi_i * ds;
          }
          integrals.convection_ambient += h * ambient * ds;
        }
      }
    }
    cell->get_dof_indices(indices);
    zero_constraints.distribute_local_to_global(cell_mass, indices, mass_matrix);
    // Time-dependent Dirichlet data are lifted every step (DirichletLifting), constant
    // ones once here.
    if (dirichlet_in_time)
    {
      zero_constraints.distribute_local_to_global(cell_stiffness, cell_rhs, indices,
                                                  stiffness_matrix, constant_rhs);
      dirichlet_lifting.add_cell(indices, cell_mass, cell_stiffness);
    }
    else
      dirichlet_constraints.distribute_local_to_global(cell_stiffness, cell_rhs, indices,
                                                       stiffness_matrix, constant_rhs);
    heat_capacity_weights.add(indices, cell_capacity);
    perfusion_weights.add(indices, cell_perfusion);
    convection_weights.add(indices, cell_convection);

    bool touches_dirichlet = false;
    for (unsigned int i = 0; i < n; ++i)
    {
      row_weight[i] = dirichlet_row_weight(indices[i]);
      touches_dirichlet |= row_weight[i] != 0;
    }
    if (touches_dirichlet)
    {
      cell_mass_columns = 0;
      cell_stiffness_columns = 0;
      for (unsigned int i = 0; i < n; ++i)
        if (row_weight[i] != 0)
        {
          for (unsigned int j = 0; j < n; ++j)
          {
            cell_mass_columns(j) += row_weight[i] * cell_mass(i, j);
            cell_stiffness_columns(j) += row_weight[i] * cell_stiffness(i, j);
          }
          integrals.dirichlet_rows += row_weight[i] * cell_rhs(i);
        }
      dirichlet_mass_columns.add(indices, cell_mass_columns);
      dirichlet_stiffness_columns.add(indices, cell_stiffness_columns);
    }
  }
  for (LA::MPI::SparseMatrix *matrix : {&mass_matrix, &stiffness_matrix})
    matrix->compress(VectorOperation::add);
  for (LA::MPI::Vector *vector :
       {&constant_rhs, &heat_capacity_weights, &perfusion_weights, &convection_weights,
        &dirichlet_mass_columns, &dirichlet_stiffness_columns})
    vector->compress(VectorOperation::add);

  const MPI_Comm comm = simulator->mpi_communicator();
  constant_integrals.metabolic = Utilities::MPI::sum(integrals.metabolic, comm);
  constant_integrals.perfusion_arterial =
      Utilities::MPI::sum(integrals.perfusion_arterial, comm);
  constant_integrals.convection_ambient =
      Utilities::MPI::sum(integrals.convection_ambient, comm);
  constant_integrals.flux_in = Utilities::MPI::sum(integrals.flux_in, comm);
  constant_integrals.dirichlet_rows = Utilities::MPI::sum(integrals.dirichlet_rows, comm);
  if (dirichlet_in_time || boundary_flux_in_time)
  {
    static_rhs.reinit(space.locally_owned, comm);
    static_rhs = constant_rhs;
    static_integrals = constant_integrals;
  }
  system_matrix_factor = -1;
}

void PennesHeat::assemble_field_sources()
{
  const ScalarSpace &space = simulator->scalar_space();
  const FieldRegistry &fields = simulator->fields();
  const Field &iron = fields.get("iron", "Heat (MNP heating)");
  const Field &field_amplitude = fields.get("H_amplitude", "Heat (MNP heating)");
  const Field *eddy = fields.find("eddy_heating");
  const bool needs_temperature = slp_model->depends_on_temperature();

  std::vector<unsigned int> versions = {iron.version(), field_amplitude.version(),
                                        eddy ? eddy->version() : 0u};
  if (field_sources_assembled && versions == field_versions && !needs_temperature)
    return;

  const unsigned int n = space.fe.n_dofs_per_cell();
  const double frequency = simulator->amf_frequency();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_quadrature_points | update_JxW_values);
  const unsigned int n_q = fe_values.n_quadrature_points;
  std::vector<double> iron_values(n_q), h_values(n_q), eddy_values(n_q, 0.0),
      temperature_values(n_q, arterial_temperature);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  double power_mnp = 0, power_eddy = 0, dirichlet_rows = 0;
  field_rhs = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    iron.evaluate(fe_values, iron_values);
    if (eddy)
      eddy->evaluate(fe_values, eddy_values);
    const bool has_iron = std::any_of(iron_values.begin(), iron_values.end(),
                                      [](double c) { return c != 0; });
    const bool has_eddy = std::any_of(eddy_values.begin(), eddy_values.end(),
                                      [](double q) { return q != 0; });
    if (!has_iron && !has_eddy)
      continue;
    if (has_iron)
    {
      field_amplitude.evaluate(fe_values, h_values);
      if (needs_temperature)
        fe_values.get_function_values(temperature, temperature_values);
    }
    cell_rhs = 0;
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const double q_mnp = has_iron
                               ? iron_values[q] * slp_model->value(h_values[q], frequency,
                                                                   temperature_values[q])
                               : 0.0;
      const double dx = fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
        cell_rhs(i) += (q_mnp + eddy_values[q]) * fe_values.shape_value(i, q) * dx;
      power_mnp += q_mnp * dx;
      power_eddy += eddy_values[q] * dx;
    }
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      dirichlet_rows += dirichlet_row_weight(indices[i]) * cell_rhs(i);
    zero_constraints.distribute_local_to_global(cell_rhs, indices, field_rhs);
  }
  field_rhs.compress(VectorOperation::add);
  const MPI_Comm comm = simulator->mpi_communicator();
  field_power_mnp = Utilities::MPI::sum(power_mnp, comm);
  field_power_eddy = Utilities::MPI::sum(power_eddy, comm);
  field_dirichlet_rows = Utilities::MPI::sum(dirichlet_rows, comm);
  field_versions = versions;
  field_sources_assembled = true;
}

void PennesHeat::assemble_extra_source(double t)
{
  if (extra_source->is_constant() && extra_source->value(Point<3>()) == 0)
    return;
  if (extra_source_assembled && !extra_source->depends_on_time())
    return;
  extra_source_assembled = true;
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_quadrature_points | update_JxW_values);
  Vector<double> cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);
  double power = 0, dirichlet_rows = 0;
  extra_rhs = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    cell_rhs = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
    {
      const double source = extra_source->value(fe_values.quadrature_point(q), t);
      const double dx = fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
        cell_rhs(i) += source * fe_values.shape_value(i, q) * dx;
      power += source * dx;
    }
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      dirichlet_rows += dirichlet_row_weight(indices[i]) * cell_rhs(i);
    zero_constraints.distribute_local_to_global(cell_rhs, indices, extra_rhs);
  }
  extra_rhs.compress(VectorOperation::add);
  const MPI_Comm comm = simulator->mpi_communicator();
  extra_power = Utilities::MPI::sum(power, comm);
  extra_dirichlet_rows = Utilities::MPI::sum(dirichlet_rows, comm);
}

void PennesHeat::setup_nonlinear_cells()
{
  const ScalarSpace &space = simulator->scalar_space();
  const unsigned int n = space.fe.n_dofs_per_cell();
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_JxW_values);
  const unsigned int n_q = fe_values.n_quadrature_points;
  reference_shape_values.resize(n_q * n);
  for (unsigned int q = 0; q < n_q; ++q)
    for (unsigned int i = 0; i < n; ++i)
      reference_shape_values[q * n + i] =
          space.fe.shape_value(i, space.cell_quadrature.point(q));
  nonlinear_cells.clear();
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned() ||
        coefficients[cell->material_id()].perfusion_is_linear)
      continue;
    fe_values.reinit(cell);
    cell->get_dof_indices(indices);
    NonlinearCell data;
    data.coefficients = &coefficients[cell->material_id()];
    data.dof_indices = indices;
    for (const auto index : indices)
    {
      data.field_indices.push_back(temperature.get_partitioner()->global_to_local(index));
      data.dirichlet_weight.push_back(dirichlet_row_weight(index));
    }
    for (unsigned int q = 0; q < n_q; ++q)
      data.jxw.push_back(fe_values.JxW(q));
    nonlinear_cells.push_back(std::move(data));
  }
}

void PennesHeat::assemble_nonlinear_terms(Jacobian jacobian)
{
  const unsigned int n = simulator->scalar_space().fe.n_dofs_per_cell();
  FullMatrix<double> cell_jacobian(n, n);
  Vector<double> cell_rhs(n), cell_lumped(n);
  std::vector<double> slopes;
  double power = 0, dirichlet_rows = 0;
  if (jacobian != Jacobian::none)
    newton_matrix.copy_from(system_matrix);
  if (jacobian == Jacobian::lumped)
    lumped_slopes = 0;
  nonlinear_rhs = 0;
  for (const NonlinearCell &cell : nonlinear_cells)
  {
    const TissueCoefficients &c = *cell.coefficients;
    const unsigned int n_q = cell.jxw.size();
    slopes.resize(n_q);
    cell_rhs = 0;
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const double *phi = &reference_shape_values[q * n];
      double t = 0;
      for (unsigned int i = 0; i < n; ++i)
        t += phi[i] * temperature.local_element(cell.field_indices[i]);
      const double w =
          c.perfusion->coefficient(t, c.perfusion_baseline, blood_specific_heat);
      const double dw =
          c.perfusion->derivative(t, c.perfusion_baseline, blood_specific_heat);
      // d/dT [W(T)(T - T_a)]; a negative slope (perfusion collapse) is clipped so the
      // Newton matrix stays positive definite, which keeps CG applicable.
      slopes[q] = std::max(w + dw * (t - arterial_temperature), 0.0) * cell.jxw[q];
      const double sink = w * (t - arterial_temperature) * cell.jxw[q];
      for (unsigned int i = 0; i < n; ++i)
        cell_rhs(i) += sink * phi[i];
      power += sink;
    }
    for (unsigned int i = 0; i < n; ++i)
      dirichlet_rows += cell.dirichlet_weight[i] * cell_rhs(i);
    if (jacobian == Jacobian::lumped)
    {
      // Row sums of the consistent Jacobian (the basis functions sum to one).
      cell_lumped = 0;
      for (unsigned int q = 0; q < n_q; ++q)
        for (unsigned int i = 0; i < n; ++i)
          cell_lumped(i) += slopes[q] * reference_shape_values[q * n + i];
      zero_constraints.distribute_local_to_global(cell_lumped, cell.dof_indices,
                                                  lumped_slopes);
    }
    if (jacobian == Jacobian::consistent)
    {
      cell_jacobian = 0;
      for (unsigned int q = 0; q < n_q; ++q)
      {
        const double *phi = &reference_shape_values[q * n];
        for (unsigned int i = 0; i < n; ++i)
        {
          const double scaled = slopes[q] * phi[i];
          for (unsigned int j = 0; j < n; ++j)
            cell_jacobian(i, j) += scaled * phi[j];
        }
      }
      zero_constraints.distribute_local_to_global(cell_jacobian, cell.dof_indices,
                                                  newton_matrix);
    }
    zero_constraints.distribute_local_to_global(cell_rhs, cell.dof_indices,
                                                nonlinear_rhs);
  }
  if (jacobian == Jacobian::lumped)
  {
    lumped_slopes.compress(VectorOperation::add);
    const IndexSet &owned = simulator->scalar_space().locally_owned;
    for (const auto row : owned)
      if (lumped_slopes(row) != 0)
        newton_matrix.add(row, row, lumped_slopes(row));
  }
  if (jacobian != Jacobian::none)
    newton_matrix.compress(VectorOperation::add);
  nonlinear_rhs.compress(VectorOperation::add);
  const MPI_Comm comm = simulator->mpi_communicator();
  nonlinear_perfusion_power = Utilities::MPI::sum(power, comm);
  nonlinear_dirichlet_rows = Utilities::MPI::sum(dirichlet_rows, comm);
}

void PennesHeat::update_system_matrix(double factor)
{
  system_matrix.copy_from(stiffness_matrix);
  if (factor != 0)
    system_matrix.add(factor, mass_matrix);
  system_matrix_factor = factor;
  linear_solver.matrix_changed();
  dirichlet_rhs_values.resize(dirichlet_owned.size());
  for (unsigned int k = 0; k < dirichlet_owned.size(); ++k)
    dirichlet_rhs_values[k] = system_matrix.diag_element(dirichlet_owned[k]) *
                              dirichlet_values.at(dirichlet_owned[k]);
}
} // namespace ferrotherm
