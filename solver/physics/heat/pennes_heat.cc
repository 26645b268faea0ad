// PennesHeat: assembly, time stepping, Newton iteration and heat balance of the
// bioheat equation (see pennes_heat.h for the equation and the method).
#include "physics/heat/pennes_heat.h"

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
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
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

PennesHeat::PennesHeat() = default;
PennesHeat::~PennesHeat() = default;

void PennesHeat::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Heat");
  prm.declare_entry("Time step", "10", Patterns::Double(0),
                    "Time step [s] (the initial one when adaptive), in [1e-6, 1e8].");
  prm.declare_entry("Adaptive time step", "false", Patterns::Bool(),
                    "Control the step by an estimate of the local time error (Milne's "
                    "device: the difference to an extrapolation of the previous steps).");
  prm.declare_entry(
      "Time step tolerance", "0.05", Patterns::Double(0),
      "Target of the estimated local time error per step, max over the mesh "
      "[K].");
  prm.declare_entry("Minimum time step", "1e-3", Patterns::Double(0),
                    "Smallest adaptive step [s], in (0, 1e8].");
  prm.declare_entry("Maximum time step", "120", Patterns::Double(0),
                    "Largest adaptive step [s], in (0, 1e8].");
  prm.declare_entry("Arterial temperature", "37", Patterns::Double(),
                    "Arterial blood temperature T_a [deg C], in [25, 45].");
  prm.declare_entry("Blood density", "1050", Patterns::Double(0),
                    "rho_b [kg/m^3] (IT'IS database), in (0, 2e4].");
  prm.declare_entry("Blood specific heat", "3617", Patterns::Double(0),
                    "c_b [J/(kg K)] (IT'IS database), in (0, 1e4].");
  prm.declare_entry(
      "Initial temperature", "basal", Patterns::Anything(),
      "T at t = 0 [deg C]: 'basal' for the steady state without the field "
      "(metabolic heat, perfusion and boundary conditions in equilibrium), or a "
      "number (in [0, 100]) or expression in x, y, z [m].");
  prm.declare_entry(
      "Additional heat source", "0", Patterns::Anything(),
      "An extra volumetric heat source [W/m^3] as an expression in x, y, z, t "
      "(e.g. for verification); re-assembled every step only if it uses t.");
  prm.declare_entry(
      "Boundary conditions", "", Patterns::Anything(),
      "Per boundary (name or id): 'fixed temperature T' [deg C], 'heat flux q' "
      "[W/m^2, > 0 heats] or 'convective h, T_inf' [W/(m^2 K), deg C], "
      "separated by ';', e.g. 'x_min: fixed temperature 37; outer: convective "
      "50, 20'. Every value is a number or an expression in x, y, z [m] and t [s], "
      "e.g. 'fixed temperature 37 + 2*exp(-t/600)'; h and T_inf are split at the "
      "comma outside parentheses ('convective 50, min(20, 20 + t/60)'). Data that use "
      "t are re-evaluated every step; h may vary in space, not in time. Unlisted "
      "boundaries are insulated.");
  prm.declare_entry(
      "Nonlinear tolerance", "1e-9", Patterns::Double(1e-15, 1),
      "Newton iteration (temperature-dependent perfusion or SLP): stop when "
      "the residual norm is this fraction of the residual of the step's predictor "
      "(the extrapolated state), or at round-off level (1e-13 of the right-hand side).");
  prm.declare_entry("Maximum nonlinear iterations", "25", Patterns::Integer(1),
                    "Newton iterations per step before the run stops with an error.");
  prm.declare_entry(
      "Plausible temperature range", "0, 100", Patterns::Anything(),
      "'lowest, highest' [deg C]: a temperature outside this range anywhere in the "
      "tissue is reported as a warning (screen, log.txt, the 'warnings' column of "
      "statistics.csv); Pennes' model and the tissue data do not hold there (freezing, "
      "boiling, carbonisation).");
  prm.declare_entry(
      "Heat balance warning threshold", "1e-6", Patterns::Double(0, 1),
      "A relative heat-balance error (energy_balance_error) above this at an output "
      "time is reported as a warning: the energy bookkeeping no longer closes, so the "
      "solution is not to be trusted (solver tolerances, time step).");
  prm.enter_subsection("Linear solver");
  ScalarLinearSolver::declare_parameters(prm, "jacobi");
  prm.leave_subsection();
  ThermalDose::declare_parameters(prm);
  prm.enter_subsection("Perfusion models");
  PerfusionModel::declare_parameters(prm);
  prm.leave_subsection();
  prm.leave_subsection();

  prm.enter_subsection("Heating");
  SpecificLossPower::declare_parameters(prm);
  prm.leave_subsection();
}

void PennesHeat::parse_parameters(ParameterHandler &prm, const RunContext &context)
{
  run_context = context;
  prm.enter_subsection("Heat");
  const std::string scheme_name = prm.get("Time stepping");
  scheme = scheme_name == "steady"           ? Scheme::steady
           : scheme_name == "backward euler" ? Scheme::backward_euler
                                             : Scheme::bdf2;
  initial_time_step = prm.get_double("Time step");
  adaptive = prm.get_bool("Adaptive time step");
  step_tolerance = prm.get_double("Time step tolerance");
  min_time_step = prm.get_double("Minimum time step");
  max_time_step = prm.get_double("Maximum time step");
  if (scheme != Scheme::steady && !(initial_time_step > 0))
    throw_input_error("Heat/Time step", "must be positive for transient runs");
  if (scheme != Scheme::steady)
    check_range(initial_time_step, 1e-6, 1e8, "Heat/Time step", "s");
  if (adaptive)
  {
    check_range(min_time_step, 0, 1e8, "Heat/Minimum time step", "s",
                LowerBound::exclusive);
    check_range(max_time_step, 0, 1e8, "Heat/Maximum time step", "s",
                LowerBound::exclusive);
  }
  if (adaptive &&
      !(min_time_step <= initial_time_step && initial_time_step <= max_time_step))
    throw_input_error("Heat/Time step",
                      "must lie between 'Minimum time step' and 'Maximum time step'");
  if (adaptive && !(step_tolerance > 0))
    throw_input_error("Heat/Time step tolerance", "must be positive");
  arterial_temperature = prm.get_double("Arterial temperature");
  blood_density = prm.get_double("Blood density");
  blood_specific_heat = prm.get_double("Blood specific heat");
  check_range(arterial_temperature, 25, 45, "Heat/Arterial temperature", "deg C");
  check_range(blood_density, 0, 2e4, "Heat/Blood density", "kg/m^3",
              LowerBound::exclusive);
  check_range(blood_specific_heat, 0, 1e4, "Heat/Blood specific heat", "J/(kg K)",
              LowerBound::exclusive);
  basal_initial_state = trim(prm.get("Initial temperature")) == "basal";
  initial_temperature = std::make_unique<ParsedFunction>(
      basal_initial_state ? std::to_string(arterial_temperature)
                          : prm.get("Initial temperature"),
      "Heat/Initial temperature", context.function_constants);
  if (initial_temperature->is_constant())
    check_range(initial_temperature->value(Point<3>()), 0, 100,
                "Heat/Initial temperature", "deg C");
  extra_source = std::make_unique<ParsedFunction>(prm.get("Additional heat source"),
                                                  "Heat/Additional heat source",
                                                  context.function_constants);
  boundary_text = prm.get("Boundary conditions");
  nonlinear_tolerance = prm.get_double("Nonlinear tolerance");
  max_nonlinear_iterations = prm.get_integer("Maximum nonlinear iterations");
  {
    const std::vector<double> range = parse_double_list(
        prm.get("Plausible temperature range"), "Heat/Plausible temperature range");
    if (range.size() != 2 || !(range[0] < range[1]))
      throw_input_error("Heat/Plausible temperature range",
                        "expected 'lowest, highest' in deg C with lowest < highest, "
                        "found '" +
                            prm.get("Plausible temperature range") + "'");
    plausible_temperatures = {range[0], range[1]};
  }
  balance_warning_threshold = prm.get_double("Heat balance warning threshold");
  prm.enter_subsection("Linear solver");
  linear_solver.parse_parameters(prm);
  prm.leave_subsection();
  dose.parse_parameters(prm);
  prm.enter_subsection("Perfusion models");
  const auto &perfusion_registry = PluginRegistry<PerfusionModel>::instance();
  for (const auto &name : perfusion_registry.names())
  {
    auto model = perfusion_registry.create(name);
    model->parse_parameters(prm, context);
    perfusion_models[name] = std::move(model);
  }
  prm.leave_subsection();
  prm.leave_subsection();

  prm.enter_subsection("Heating");
  slp_model = PluginRegistry<SpecificLossPower>::instance().create(prm.get("Model"));
  slp_model->parse_parameters(prm, context);
  prm.leave_subsection();
}

void PennesHeat::initialize(Simulator &sim)
{
  simulator = &sim;
  degree = sim.finite_element_degree();
  linear_solver.set_higher_order(degree > 1);
  slp_model->check_frequency(sim.amf_frequency());
  setup_tissue_coefficients();
  boundary_conditions = parse_heat_boundary_conditions(
      boundary_text, "Heat/Boundary conditions", sim.boundary_names(),
      sim.boundary_ids_in_mesh(), run_context.function_constants);
  for (const auto &condition : boundary_conditions)
  {
    const bool fixed =
        condition.second.type == HeatBoundaryCondition::Type::fixed_temperature;
    dirichlet_in_time |= fixed && condition.second.depends_on_time();
    boundary_flux_in_time |= !fixed && condition.second.depends_on_time();
  }
  check_steady_problem_is_regular();
  temperature_field = std::make_unique<TemperatureField>(*this);
  sim.fields().add("temperature", "deg C", "tissue temperature", "Heat",
                   temperature_field.get());
  sim.fields().add("thermal_dose_CEM43", "min", "cumulative equivalent minutes at 43 C",
                   "Heat", &dose.cem43_field());
  sim.fields().add("thermal_damage", "1", "Arrhenius damage integral Omega", "Heat",
                   &dose.damage_field());
}

void PennesHeat::check_steady_problem_is_regular() const
{
  if (!basal_initial_state && scheme != Scheme::steady)
    return;
  // Without perfusion and without a boundary that fixes the level (Dirichlet or
  // convective), the steady operator div(k grad T) with insulated boundaries has the
  // constants in its kernel: the steady temperature is undefined (and a source makes it
  // grow without bound).
  for (const unsigned int label : simulator->labels_in_mesh())
    if (coefficients[label].perfusion_baseline > 0)
      return;
  for (const auto &condition : boundary_conditions)
    if (condition.second.type != HeatBoundaryCondition::Type::heat_flux)
      return;
  const std::string reason =
      "no tissue in the mesh is perfused and no boundary has a fixed-temperature or "
      "convective condition, so the steady heat equation has no unique solution (its "
      "level is undefined; a source makes it infinite)";
  if (scheme == Scheme::steady)
    throw_input_error("Heat/Time stepping",
                      "a steady run is singular: " + reason +
                          ". Add a perfusion or a 'fixed temperature' or 'convective' "
                          "boundary condition (Heat/Boundary conditions).");
  throw_input_error("Heat/Initial temperature",
                    "'basal' (the steady state before treatment) is singular: " + reason +
                        ". Give the initial temperature as a number or expression, or "
                        "add a perfusion or a 'fixed temperature' or 'convective' "
                        "boundary condition.");
}

void PennesHeat::check_plausibility()
{
  const double highest = solution.max();
  const double lowest = solution.min();
  if (!std::isfinite(highest) || !std::isfinite(lowest))
  {
    std::ostringstream message;
    message << "Heat: the temperature is not finite at t = " << time
            << " s. The input drives the model outside any physical range (check "
               "source strengths, field amplitude and frequency, perfusion and tissue "
               "properties); a smaller time step does not help such input.";
    throw std::runtime_error(message.str());
  }
  if (highest > plausible_temperatures.second || lowest < plausible_temperatures.first)
  {
    std::ostringstream message;
    message << "the temperature lies in [" << lowest << ", " << highest
            << "] deg C at t = " << time << " s, outside the plausible range ["
            << plausible_temperatures.first << ", " << plausible_temperatures.second
            << "] deg C (Heat/Plausible temperature range): Pennes' model does not hold "
               "there; check the field strength, the iron dose and the tissue data";
    simulator->warnings().warn("temperature outside the plausible range", message.str());
  }
}

void PennesHeat::check_heat_balance(double t)
{
  const double error = relative_balance_error();
  if (error > balance_warning_threshold)
  {
    std::ostringstream message;
    message << "the relative heat-balance error is " << error << " at t = " << t
            << " s, above " << balance_warning_threshold
            << " (Heat/Heat balance warning threshold): the energy bookkeeping does not "
               "close; tighten Heat/Linear solver/Relative tolerance or Heat/Nonlinear "
               "tolerance";
    simulator->warnings().warn("heat balance", message.str());
  }
}

double PennesHeat::relative_balance_error() const
{
  // Relative to the largest energy flow, but at least 1e-6 of the domain's heat content
  // (rho c |T| over the domain): without heat flows the terms are solver noise, not 0/0.
  const double floor = 1e-6 * total_heat_capacity * std::abs(arterial_temperature);
  return std::abs(energy_closure) / std::max(energy_scale, floor);
}

void PennesHeat::setup_tissue_coefficients()
{
  has_nonlinear_perfusion = false;
  const auto &tissues = simulator->tissue_of_label();
  for (const unsigned int label : simulator->labels_in_mesh())
  {
    const Tissue &tissue = *tissues[label];
    TissueCoefficients &c = coefficients[label];
    c.present = true;
    c.conductivity = tissue.thermal_conductivity;
    c.heat_capacity = tissue.density * tissue.specific_heat;
    c.metabolic_heat = tissue.metabolic_heat * tissue.density;
    c.perfusion_baseline = tissue.perfusion_rate * blood_density * blood_specific_heat;
    const auto model = perfusion_models.find(tissue.perfusion_model);
    if (model == perfusion_models.end())
      throw_input_error(
          tissue.origin,
          "unknown perfusion_model '" + tissue.perfusion_model + "' of tissue '" +
              tissue.name + "'; available: " +
              PluginRegistry<PerfusionModel>::instance().selection_pattern());
    c.perfusion = model->second.get();
    c.perfusion_is_linear = !c.perfusion->depends_on_temperature();
    has_nonlinear_perfusion |= !c.perfusion_is_linear;
  }
}

void PennesHeat::setup()
{
  const ScalarSpace &space = simulator->scalar_space();
  const MPI_Comm comm = simulator->mpi_communicator();
  setup_constraints();
  setup_matrices();

  for (LA::MPI::Vector *v : {&constant_rhs,
                             &field_rhs,
                             &extra_rhs,
                             &nonlinear_rhs,
                             &rhs,
                             &residual,
                             &increment,
                             &work,
                             &predictor,
                             &history_copy,
                             &lumped_slopes,
                             &solution,
                             &solution_old,
                             &solution_older,
                             &solution_oldest,
                             &heat_capacity_weights,
                             &perfusion_weights,
                             &convection_weights,
                             &dirichlet_mass_columns,
                             &dirichlet_stiffness_columns})
    v->reinit(space.locally_owned, comm);
  temperature = space.make_field_vector();
  temperature_old = space.make_field_vector();
  // Source vectors are assembled anew on this mesh (also after a mesh change).
  field_sources_assembled = false;
  extra_source_assembled = false;

  ParsedFunctionAtTime initial(*initial_temperature, 0.0);
  VectorTools::interpolate(*space.mapping, space.dof_handler, initial, solution);
  dirichlet_constraints.distribute(solution);
  solution_old = solution;
  solution_older = solution;
  solution_oldest = solution;
  update_temperature_values();
  temperature_old = temperature;
  history_levels = 1;

  assemble_linear_operators();
  setup_nonlinear_cells();
  if (basal_initial_state && !simulator->restoring_state())
  {
    // The pre-treatment equilibrium: steady Pennes with the field and extra source off.
    const Scheme transient_scheme = scheme;
    scheme = Scheme::steady;
    solve_time_step(0, 0, 0, 0, 0, false);
    scheme = transient_scheme;
    last_powers = Powers();
    solution_old = solution;
    solution_older = solution;
    solution_oldest = solution;
    update_temperature_values();
    temperature_old = temperature;
  }
  dose.setup(space, simulator->tissue_of_label(), simulator->target_labels(),
             temperature);
  target_weights = simulator->nodal_weights(simulator->target_labels());
  target_t90 = compute_target_t90();
  initial_heat_content = heat_capacity_weights * solution;
  work = 1.0;
  total_heat_capacity = heat_capacity_weights * work;
  time_step = initial_time_step;
}

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
  DynamicSparsityPattern pattern(space.locally_relevant);
  DoFTools::make_sparsity_pattern(space.dof_handler, pattern, zero_constraints, false);
  SparsityTools::distribute_sparsity_pattern(pattern, space.locally_owned, comm,
                                             space.locally_relevant);
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

void PennesHeat::build_right_hand_side(const LA::MPI::Vector &history_rhs)
{
  rhs = history_rhs;
  rhs += constant_rhs;
  rhs += field_rhs;
  rhs += extra_rhs;
}

void PennesHeat::solve_linear(const LA::MPI::Vector &history_rhs)
{
  build_right_hand_side(history_rhs);
  rhs.set(dirichlet_owned, dirichlet_rhs_values);
  rhs.compress(VectorOperation::insert);
  n_linear_iterations +=
      linear_solver.solve(system_matrix, system_matrix, solution, rhs, "Heat");
  dirichlet_constraints.distribute(solution);
}

void PennesHeat::solve_newton(const LA::MPI::Vector &history_rhs,
                              bool with_treatment_sources)
{
  const bool slp_depends_on_temperature =
      with_treatment_sources && slp_model->depends_on_temperature();
  double first_norm = 0;
  for (unsigned int iteration = 0;; ++iteration)
  {
    update_temperature_values();
    if (slp_depends_on_temperature)
      assemble_field_sources();
    // Transient steps: chord iteration with the lumped Jacobian of the first iterate
    // (the mass term dominates, so it contracts fast); steady: full Newton.
    if (scheme == Scheme::steady)
      assemble_nonlinear_terms(Jacobian::consistent);
    else
      assemble_nonlinear_terms(iteration == 0 ? Jacobian::lumped : Jacobian::none);
    build_right_hand_side(history_rhs);
    system_matrix.vmult(residual, solution);
    residual += nonlinear_rhs;
    residual -= rhs;
    zero_constraints.set_zero(residual);
    const double norm = residual.l2_norm();
    // Converged when the residual is the tolerance times that of the predictor (not of
    // |b|, which the absolute temperature level dominates), or at round-off level.
    const double reference = std::max(rhs.l2_norm(), nonlinear_rhs.l2_norm());
    if (iteration == 0)
      first_norm = norm;
    const double target = std::max(nonlinear_tolerance * first_norm, 1e-13 * reference);
    if (norm <= target)
      return;
    if (!std::isfinite(norm))
    {
      std::ostringstream message;
      message << "Heat: the Newton residual is not finite at t = " << time
              << " s: a coefficient or source is outside any physical range (check the "
                 "tissue data, the perfusion model, the field strength and the iron "
                 "dose); a smaller time step does not help such input.";
      throw std::runtime_error(message.str());
    }
    if (iteration == max_nonlinear_iterations)
    {
      std::ostringstream message;
      message
          << "Heat: the Newton iteration for temperature-dependent perfusion/SLP did not "
             "converge in "
          << max_nonlinear_iterations << " iterations at t = " << time << " s (residual "
          << norm << ", from " << first_norm
          << "). Reduce 'Heat/Time step' or raise 'Maximum nonlinear iterations'.";
      throw std::runtime_error(message.str());
    }
    residual *= -1.0;
    increment = 0;
    n_linear_iterations +=
        linear_solver.solve(newton_matrix, system_matrix, increment, residual,
                            "Heat (Newton step)", 1e-3, 0.1 * target);
    solution += increment;
    dirichlet_constraints.distribute(solution);
    ++n_newton_iterations;
  }
}

void PennesHeat::solve_time_step(double t_new, double dt, double a0, double a1, double a2,
                                 bool with_treatment_sources)
{
  const double factor = scheme == Scheme::steady ? 0.0 : a0 / dt;
  if (factor != system_matrix_factor)
    update_system_matrix(factor);
  update_boundary_data(t_new, scheme == Scheme::steady ? 0.0 : dt, a0, a1, a2);
  if (with_treatment_sources)
  {
    assemble_field_sources();
    assemble_extra_source(t_new);
  }
  else
  {
    field_rhs = 0;
    extra_rhs = 0;
    field_power_mnp = field_power_eddy = field_dirichlet_rows = 0;
    extra_power = extra_dirichlet_rows = 0;
    field_sources_assembled = false;
    extra_source_assembled = false;
  }

  // history_rhs = M (-(a1 T^n + a2 T^(n-1)) / dt), kept in `increment` during the step.
  LA::MPI::Vector &history_rhs = increment;
  if (scheme == Scheme::steady)
    history_rhs = 0;
  else
  {
    work.equ(-a1 / dt, solution_old);
    if (a2 != 0)
      work.add(-a2 / dt, solution_older);
    mass_matrix.vmult(history_rhs, work);
  }
  if (has_nonlinear_perfusion || slp_model->depends_on_temperature())
  {
    history_copy = history_rhs;
    solve_newton(history_copy, with_treatment_sources);
  }
  else
  {
    solve_linear(history_rhs);
    nonlinear_perfusion_power = 0;
    nonlinear_dirichlet_rows = 0;
  }
  compute_powers(dt, a0, a1, a2);
}

void PennesHeat::compute_powers(double dt, double a0, double a1, double a2)
{
  Powers p;
  double dirichlet_storage = 0;
  if (scheme != Scheme::steady)
  {
    work.equ(a0 / dt, solution);
    work.add(a1 / dt, solution_old);
    if (a2 != 0)
      work.add(a2 / dt, solution_older);
    p.storage = heat_capacity_weights * work;
    dirichlet_storage = dirichlet_mass_columns * work;
  }
  p.metabolic = constant_integrals.metabolic;
  p.mnp = field_power_mnp;
  p.eddy = field_power_eddy;
  p.extra = extra_power;
  p.flux_in = constant_integrals.flux_in;
  p.perfusion_out = perfusion_weights * solution - constant_integrals.perfusion_arterial +
                    nonlinear_perfusion_power;
  p.convection_out =
      convection_weights * solution - constant_integrals.convection_ambient;
  p.dirichlet_in =
      dirichlet_storage + dirichlet_stiffness_columns * solution +
      nonlinear_dirichlet_rows -
      (constant_integrals.dirichlet_rows + field_dirichlet_rows + extra_dirichlet_rows);
  last_powers = p;
}

void PennesHeat::integrate_energy(double dt)
{
  const Powers &p = last_powers;
  const double gains =
      p.metabolic + p.mnp + p.eddy + p.extra + p.flux_in + p.dirichlet_in;
  const double losses = p.perfusion_out + p.convection_out;
  const double closure = p.storage - (gains - losses);
  const double scale = std::max(
      {std::abs(p.storage),
       std::abs(p.metabolic) + std::abs(p.mnp) + std::abs(p.eddy) + std::abs(p.extra) +
           std::abs(p.flux_in),
       std::abs(p.dirichlet_in), std::abs(p.perfusion_out), std::abs(p.convection_out)});
  if (scheme == Scheme::steady)
  {
    energies = p;
    energy_closure = closure;
    energy_scale = scale;
    return;
  }
  energies.storage += p.storage * dt;
  energies.metabolic += p.metabolic * dt;
  energies.mnp += p.mnp * dt;
  energies.eddy += p.eddy * dt;
  energies.extra += p.extra * dt;
  energies.flux_in += p.flux_in * dt;
  energies.perfusion_out += p.perfusion_out * dt;
  energies.convection_out += p.convection_out * dt;
  energies.dirichlet_in += p.dirichlet_in * dt;
  energy_closure += closure * dt;
  energy_scale += scale * dt;
}

void PennesHeat::update_temperature_values()
{
  copy_owned_values(solution, temperature);
  temperature.update_ghost_values();
}

double PennesHeat::compute_target_t90()
{
  std::vector<double> values, weights;
  values.reserve(target_weights.size());
  weights.reserve(target_weights.size());
  for (const auto &entry : target_weights)
  {
    values.push_back(temperature.local_element(entry.first));
    weights.push_back(entry.second);
  }
  target_samples.assign(values, weights);
  return target_samples.upper_percentile(0.9, simulator->mpi_communicator());
}

double PennesHeat::max_abs_difference(const LA::MPI::Vector &a,
                                      const LA::MPI::Vector &b) const
{
  LA::MPI::Vector difference(a);
  difference -= b;
  return difference.linfty_norm();
}

void PennesHeat::advance(double t_old, double t_new)
{
  if (scheme == Scheme::steady)
  {
    time = t_new;
    solve_time_step(t_new, 0, 0, 0, 0);
    integrate_energy(0);
    update_temperature_values();
    ++temperature_version;
    ++n_steps;
    target_t90 = compute_target_t90();
    check_plausibility();
    check_heat_balance(t_new);
    return;
  }

  const double scale = simulator->field_scale(t_old, t_new);
  if (scale != last_field_scale)
  {
    // The source jumps: restart the multistep history with a first-order step.
    if (last_field_scale >= 0)
    {
      history_levels = 1;
      if (adaptive)
        time_step = initial_time_step;
    }
    last_field_scale = scale;
  }

  double t = t_old;
  const double end_tolerance = 1e-10 * std::max(1.0, std::abs(t_new));
  // Fixed steps: one dt for the whole interval, so the matrix and its preconditioner
  // stay the same (a dt recomputed from the remaining time would differ in the last bit).
  const double fixed_dt = (t_new - t_old) / std::ceil((t_new - t_old) / time_step - 1e-9);
  if (!adaptive && fixed_dt < time_step * (1 - 1e-9) && t_new - t_old < time_step)
    simulator->warnings().warn_shortened_step("Heat/Time step", time_step, fixed_dt);
  while (t < t_new - end_tolerance)
  {
    const double remaining = t_new - t;
    double dt;
    if (adaptive)
      dt = remaining < 1.1 * time_step ? remaining : time_step;
    else
      dt = fixed_dt;

    const bool second_order = scheme == Scheme::bdf2 && history_levels >= 2;
    double a0 = 1, a1 = -1, a2 = 0;
    if (second_order)
    {
      const double omega = dt / last_step;
      a0 = (1 + 2 * omega) / (1 + omega);
      a1 = -(1 + omega);
      a2 = omega * omega / (1 + omega);
    }

    // Predictor: extrapolation of the accepted levels (warm start and error estimate).
    const unsigned int order = second_order ? 2 : 1;
    const bool can_estimate = history_levels >= order + 1;
    solution = solution_old;
    if (history_levels >= 2)
    {
      if (order == 2 && history_levels >= 3)
      {
        const double h1 = last_step, h2 = previous_step;
        const double l0 = (dt + h1) * (dt + h1 + h2) / (h1 * (h1 + h2));
        const double l1 = -dt * (dt + h1 + h2) / (h1 * h2);
        const double l2 = dt * (dt + h1) / ((h1 + h2) * h2);
        solution.equ(l0, solution_old);
        solution.add(l1, solution_older);
        solution.add(l2, solution_oldest);
      }
      else
      {
        solution.equ(1 + dt / last_step, solution_old);
        solution.add(-dt / last_step, solution_older);
      }
    }
    predictor = solution;

    time = t + dt;
    solve_time_step(t + dt, dt, a0, a1, a2);

    if (adaptive)
    {
      double next = std::min(max_time_step, 2 * dt);
      if (can_estimate)
      {
        const double constant = order == 2 ? 2.0 / 11.0 : 1.0 / 3.0;
        const double estimate = constant * max_abs_difference(solution, predictor);
        const double ratio = estimate > 0 ? step_tolerance / estimate : 1e10;
        const double change =
            std::min(2.0, std::max(0.2, 0.9 * std::pow(ratio, 1.0 / (order + 1))));
        next = std::min(max_time_step, std::max(min_time_step, dt * change));
        if (estimate > 1.5 * step_tolerance && dt > min_time_step * (1 + 1e-12))
        {
          // Reject and retry with the smaller step; the published temperature (the
          // Newton iterates') returns to T^n.
          solution = solution_old;
          update_temperature_values();
          time_step = next;
          ++n_rejected;
          continue;
        }
      }
      time_step = next;
    }

    // Accept the step. T^n from the history: the published field holds the iterates
    // of a Newton solve.
    integrate_energy(dt);
    copy_owned_values(solution_old, temperature_old);
    temperature_old.update_ghost_values();
    update_temperature_values();
    ++temperature_version;
    dose.accumulate(temperature_old, temperature, dt);
    const double t90 = compute_target_t90();
    if (std::isfinite(t90))
      cem43_t90 += 0.5 * dt / 60.0 * (dose.cem43_rate(target_t90) + dose.cem43_rate(t90));
    target_t90 = t90;

    solution_oldest = solution_older;
    solution_older = solution_old;
    solution_old = solution;
    previous_step = last_step;
    last_step = dt;
    history_levels = std::min(history_levels + 1, 3u);
    t += dt;
    ++n_steps;
  }
  check_plausibility();
  check_heat_balance(t_new);
}

void PennesHeat::add_statistics(StatisticsRow &row) const
{
  const MPI_Comm comm = simulator->mpi_communicator();
  double local_max = std::numeric_limits<double>::lowest();
  for (unsigned int i = 0; i < temperature.locally_owned_size(); ++i)
    local_max = std::max(local_max, temperature.local_element(i));
  row.emplace_back("T_max_C", Utilities::MPI::max(local_max, comm));
  row.emplace_back("target_T90_C", target_t90);
  row.emplace_back("CEM43T90_min", cem43_t90);
  dose.add_statistics(row, comm);
  row.emplace_back("power_mnp_W", last_powers.mnp);
  row.emplace_back("power_eddy_W", last_powers.eddy);
  row.emplace_back("power_metabolic_W", last_powers.metabolic);
  row.emplace_back("power_perfusion_out_W", last_powers.perfusion_out);
  row.emplace_back("power_boundary_out_W", last_powers.convection_out -
                                               last_powers.dirichlet_in -
                                               last_powers.flux_in);
  row.emplace_back("energy_mnp_J", energies.mnp);
  row.emplace_back("energy_eddy_J", energies.eddy);
  row.emplace_back("energy_metabolic_J", energies.metabolic);
  row.emplace_back("energy_extra_J", energies.extra);
  row.emplace_back("energy_perfusion_out_J", energies.perfusion_out);
  row.emplace_back("energy_boundary_out_J",
                   energies.convection_out - energies.dirichlet_in - energies.flux_in);
  row.emplace_back("energy_stored_J", energies.storage);
  row.emplace_back("heat_content_change_J",
                   heat_capacity_weights * solution - initial_heat_content);
  if (simulator->adaptive_mesh())
    row.emplace_back("energy_mesh_change_J", energy_mesh_change);
  row.emplace_back("energy_balance_error", relative_balance_error());
  row.emplace_back("heat_steps", n_steps);
  row.emplace_back("heat_rejected_steps", n_rejected);
  row.emplace_back("time_step_s", last_step);
  row.emplace_back("linear_iterations", n_linear_iterations);
  row.emplace_back("newton_iterations", n_newton_iterations);
  row.emplace_back("preconditioner_setups", linear_solver.preconditioner_setups());
}

void PennesHeat::add_output(DataOut<3> &data_out)
{
  const ScalarSpace &space = simulator->scalar_space();
  data_out.add_data_vector(space.dof_handler, temperature, "temperature");
  dose.add_output(data_out);
  // MNP heating Q_mnp = c_Fe SLP(|H|, f, T) at the cell centres (cell data).
  const Field &iron = simulator->fields().get("iron", "Heat output");
  const Field &field_amplitude = simulator->fields().get("H_amplitude", "Heat output");
  mnp_heating_cells.reinit(simulator->triangulation().n_active_cells());
  FEValues<3> fe_values(*space.mapping, space.fe, QGauss<3>(1),
                        update_values | update_quadrature_points);
  std::vector<double> c(1), h(1), t(1);
  const double frequency = simulator->amf_frequency();
  for (const auto &cell : space.dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      fe_values.reinit(cell);
      iron.evaluate(fe_values, c);
      field_amplitude.evaluate(fe_values, h);
      fe_values.get_function_values(temperature, t);
      mnp_heating_cells(cell->active_cell_index()) =
          c[0] > 0 ? c[0] * slp_model->value(h[0], frequency, t[0]) : 0.0;
    }
  data_out.add_data_vector(mnp_heating_cells, "mnp_heating", DataOut<3>::type_cell_data);
}

std::vector<std::string> PennesHeat::needed_fields() const
{
  return {"iron", "H_amplitude", "eddy_heating"};
}

void PennesHeat::register_state(ModuleState &state)
{
  const auto &dofs = simulator->scalar_space().dof_handler;
  state.add_vector("T", dofs, solution_old);
  state.add_vector("T (previous level)", dofs, solution_older);
  state.add_vector("T (level before)", dofs, solution_oldest);
  dose.register_state(state);
  state.add_record(
      [this](StateArchive &archive)
      {
        archive &time &time_step &last_step &previous_step &history_levels
            &last_field_scale &n_steps &n_rejected &n_linear_iterations
                &n_newton_iterations &last_powers &energies &energy_closure &energy_scale
                    &initial_heat_content &target_t90 &cem43_t90 &energy_mesh_change;
        linear_solver.serialize(archive);
      });
}

void PennesHeat::prepare_for_mesh_change()
{
  heat_content_before_mesh_change = heat_capacity_weights * solution_old;
  mesh_changing = true;
}

void PennesHeat::state_restored()
{
  // Interpolated levels meet the hanging-node constraints of the new mesh only up to
  // round-off (and not at all where cells were coarsened): enforce them.
  for (LA::MPI::Vector *level : {&solution_old, &solution_older, &solution_oldest})
    simulator->scalar_space().hanging_node_constraints.distribute(*level);
  solution = solution_old;
  update_temperature_values();
  temperature_old = temperature;
  ++temperature_version;
  target_t90 = compute_target_t90();
  if (mesh_changing)
  {
    // Interpolation keeps the heat content on refinement (nested spaces), not exactly on
    // coarsening: the difference is reported, so content = stored + mesh changes.
    energy_mesh_change +=
        heat_capacity_weights * solution - heat_content_before_mesh_change;
    mesh_changing = false;
  }
}

std::string PennesHeat::progress_summary() const
{
  std::ostringstream text;
  text.precision(4);
  text << n_steps << " heat steps, " << n_linear_iterations << " CG iterations";
  if (n_newton_iterations > 0)
    text << ", " << n_newton_iterations << " Newton iterations";
  if (std::isfinite(target_t90))
    text << ", target T90 " << target_t90 << " C";
  return text.str();
}

void PennesHeat::TemperatureField::evaluate(const FEValues<3> &fe_values,
                                            std::vector<double> &values) const
{
  fe_values.get_function_values(heat.temperature, values);
}
} // namespace ferrotherm
