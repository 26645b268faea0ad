// PennesHeat: parameters, set-up, the time loop with its step-size control (Milne's
// estimate from the BDF extrapolation) and its idle skip (no source and T relaxed: the
// macro step passes without a solve), statistics, output and module state of the
// bioheat equation (see pennes_heat.h for the equation and the method; the operators,
// the implicit step and the heat balance are in pennes_heat_{operators,step,balance}.cc).
#include "physics/heat/pennes_heat.h"

#include "core/bdf_history.h"
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/parsed_function.h"
#include "core/parsed_function_at_time.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
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
  prm.declare_entry("Time step", "10", Patterns::Anything(),
                    "Time step (the initial one when adaptive), in [1e-6 s, 1e8 s]. " +
                        time_syntax);
  prm.declare_entry("Adaptive time step", "false", Patterns::Bool(),
                    "Control the step by an estimate of the local time error (Milne's "
                    "device: the difference to an extrapolation of the previous steps).");
  prm.declare_entry(
      "Time step tolerance", "0.05", Patterns::Double(0),
      "Target of the estimated local time error per step, max over the mesh "
      "[K].");
  prm.declare_entry(
      "Idle tolerance", "1e-4", Patterns::Double(0),
      "While nothing heats (no AMF session, no time-dependent source or boundary "
      "data), the layer skips a macro step once the temperature has relaxed: when the "
      "last step's rate of change, times the macro step, is at most this [K] "
      "everywhere. T then stays as it is (its remaining drift is below the "
      "tolerance); the balances and the dose accumulate at the steady powers. 0: never "
      "skip.");
  prm.declare_entry("Minimum time step", "1e-3", Patterns::Anything(),
                    "Smallest adaptive step, in (0, 1e8 s]. " + time_syntax);
  prm.declare_entry("Maximum time step", "120", Patterns::Anything(),
                    "Largest adaptive step, in (0, 1e8 s]. " + time_syntax);
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
  prm.declare_entry(
      "Maximum nonlinear iterations", "25", Patterns::Integer(1),
      "Newton iterations per step; then an adaptive step is retried at a quarter of "
      "its length (counted in heat_rejected_steps), a fixed step stops the run "
      "with an error.");
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
  initial_time_step = parse_time(prm.get("Time step"), "Heat/Time step");
  adaptive = prm.get_bool("Adaptive time step");
  step_tolerance = prm.get_double("Time step tolerance");
  idle_tolerance = prm.get_double("Idle tolerance");
  check_range(idle_tolerance, 0, 1, "Heat/Idle tolerance", "K");
  min_time_step = parse_time(prm.get("Minimum time step"), "Heat/Minimum time step");
  max_time_step = parse_time(prm.get("Maximum time step"), "Heat/Maximum time step");
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
  for (const double f : sim.amf_frequencies())
    slp_model->check_frequency(f);
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
  sim.fields().add("perfusion", "1/s",
                   "blood perfusion w_b(T) of the tissue's perfusion model", "Heat",
                   &perfusion_field);
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

  for (LA::MPI::Vector *v :
       {&constant_rhs, &field_rhs, &extra_rhs, &nonlinear_rhs, &rhs, &residual,
        &increment, &work, &predictor, &history_copy, &lumped_slopes, &solution,
        &heat_capacity_weights, &perfusion_weights, &convection_weights,
        &dirichlet_mass_columns, &dirichlet_stiffness_columns})
    v->reinit(space.locally_owned, comm);
  temperature = space.make_field_vector();
  temperature_old = space.make_field_vector();
  // Source vectors are assembled anew on this mesh (also after a mesh change).
  field_sources_assembled = false;
  extra_source_assembled = false;

  ParsedFunctionAtTime initial(*initial_temperature, 0.0);
  VectorTools::interpolate(*space.mapping, space.dof_handler, initial, solution);
  dirichlet_constraints.distribute(solution);
  history.reinit(space.locally_owned, comm, 3);
  history.start(solution);
  update_temperature_values();
  temperature_old = temperature;

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
    history.start(solution);
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
    record_peaks();
    check_plausibility();
    check_heat_balance(t_new);
    return;
  }

  const double scale = simulator->field_scale(t_old, t_new);
  const double frequency = simulator->amf_frequency();
  if (scale != last_field_scale || (scale > 0 && frequency != last_frequency))
  {
    // The source jumps: T(t) has a kink, so the next step is first order (BDF2 across
    // it would be first-order accurate only); the levels stay for the extrapolation
    // and the error estimate, which then sees the jump. Adaptive steps start again
    // from the initial step.
    if (last_field_scale >= 0)
    {
      history.first_order_next();
      if (adaptive)
        time_step = initial_time_step;
    }
    last_field_scale = scale;
    if (scale > 0)
      last_frequency = frequency;
    steps_since_switch = 0;
  }

  if (relaxed(scale, t_old, t_new))
  {
    skip_idle_interval(t_new - t_old);
    return;
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

    const BdfHistory::Coefficients bdf =
        history.coefficients(dt, scheme == Scheme::bdf2 ? 2 : 1);
    const double a0 = bdf.a0, a1 = bdf.a1, a2 = bdf.a2;

    // Predictor: extrapolation of the accepted levels (warm start and error estimate).
    const unsigned int order = bdf.order;
    const bool can_estimate = history.available_levels() >= order + 1;
    history.extrapolate(dt, order, solution);
    predictor = solution;

    time = t + dt;
    const bool can_shorten = adaptive && dt > min_time_step * (1 + 1e-12);
    if (!solve_time_step(t + dt, dt, a0, a1, a2, true, can_shorten))
    {
      // The Newton iteration stalled: retry a quarter of the step from T^n.
      solution = history.level(0);
      update_temperature_values();
      time_step = std::max(min_time_step, 0.25 * dt);
      ++n_rejected;
      ++n_newton_retries;
      continue;
    }

    if (adaptive)
    {
      double next = std::min(max_time_step, 2 * dt);
      if (can_estimate)
      {
        const double constant = BdfHistory::error_estimate_constant(order);
        const double estimate = constant * max_abs_difference(solution, predictor);
        const double ratio = estimate > 0 ? step_tolerance / estimate : 1e10;
        // The factor is rounded down to a multiple of 1/32: runs that agree to round-off
        // (another partition, a restart) then almost always choose the same step, so a
        // last-bit difference is not amplified into a different step sequence.
        const double change = std::max(
            0.2,
            std::floor(32 * std::min(2.0, 0.9 * std::pow(ratio, 1.0 / (order + 1)))) /
                32);
        next = std::min(max_time_step, std::max(min_time_step, dt * change));
        if (estimate > 1.5 * step_tolerance && dt > min_time_step * (1 + 1e-12))
        {
          // Reject and retry with the smaller step; the published temperature (the
          // Newton iterates') returns to T^n.
          solution = history.level(0);
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
    copy_owned_values(history.level(0), temperature_old);
    temperature_old.update_ghost_values();
    update_temperature_values();
    ++temperature_version;
    dose.accumulate(temperature_old, temperature, dt);
    const double t90 = compute_target_t90();
    if (std::isfinite(t90))
      cem43_t90 += 0.5 * dt / 60.0 * (dose.cem43_rate(target_t90) + dose.cem43_rate(t90));
    target_t90 = t90;
    record_peaks();

    history.accept(solution, dt);
    t += dt;
    ++n_steps;
    ++steps_since_switch;
  }
  check_plausibility();
  check_heat_balance(t_new);
}

bool PennesHeat::relaxed(double field_scale, double t_old, double t_new) const
{
  if (idle_tolerance == 0 || field_scale != 0 || dirichlet_in_time ||
      boundary_flux_in_time || extra_source->depends_on_time() ||
      history.available_levels() < 2 || steps_since_switch < 2)
    return false;
  const double rate =
      max_abs_difference(history.level(0), history.level(1)) / history.last_step();
  return rate * (t_new - t_old) <= idle_tolerance;
}

void PennesHeat::skip_idle_interval(double dt)
{
  // The held T is the steady state: no storage, and its flows balance. The frozen
  // flows of the last step leave a net (its storage, below the idle tolerance) that
  // would be booked for the whole skipped interval; it goes to the outflow channels in
  // proportion to their size (the idle residual, reported), so the energy totals are
  // those of the steady state the skip assumes.
  Powers &p = last_powers;
  p.storage = 0;
  const double net = net_power(p);
  const double outflow =
      std::abs(p.perfusion_out) + std::abs(p.convection_out) + std::abs(p.dirichlet_in);
  if (outflow > 0)
  {
    p.perfusion_out += net * std::abs(p.perfusion_out) / outflow;
    p.convection_out += net * std::abs(p.convection_out) / outflow;
    p.dirichlet_in -= net * std::abs(p.dirichlet_in) / outflow;
  }
  else
    p.perfusion_out += net;
  integrate_energy(dt);
  energy_idle += net * dt;
  temperature_old = temperature;
  dose.accumulate(temperature_old, temperature, dt);
  cem43_t90 += dt / 60.0 * dose.cem43_rate(target_t90);
  // T^(n+1) = T^n after dt: the extrapolation stays flat and the next rate is 0.
  history.accept(solution, dt);
  time += dt;
  idle_time += dt;
}

void PennesHeat::record_peaks()
{
  peak_temperature = std::max(peak_temperature, solution.max());
  if (std::isfinite(target_t90))
    peak_target_t90 = std::max(peak_target_t90, target_t90);
}

void PennesHeat::add_statistics(StatisticsRow &row) const
{
  const MPI_Comm comm = simulator->mpi_communicator();
  double local_max = std::numeric_limits<double>::lowest();
  for (unsigned int i = 0; i < temperature.locally_owned_size(); ++i)
    local_max = std::max(local_max, temperature.local_element(i));
  const double highest = Utilities::MPI::max(local_max, comm);
  row.emplace_back("T_max_C", highest);
  row.emplace_back("target_T90_C", target_t90);
  // Over every step (outputs between sessions miss their peaks).
  row.emplace_back("T_peak_C", std::max(peak_temperature, highest));
  if (std::isfinite(target_t90))
    row.emplace_back("target_T90_peak_C", std::max(peak_target_t90, target_t90));
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
  row.emplace_back("heat_newton_retries", n_newton_retries);
  row.emplace_back("heat_idle_s", idle_time);
  row.emplace_back("energy_idle_residual_J", energy_idle);
  row.emplace_back("time_step_s", history.last_step());
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
  history.register_state(state, "T", dofs);
  dose.register_state(state);
  state.add_record(
      [this](StateArchive &archive)
      {
        archive &time &time_step &last_field_scale &last_frequency &steps_since_switch
            &n_steps &n_rejected &n_newton_retries &n_linear_iterations
                &n_newton_iterations &last_powers &energies &energy_closure &energy_scale
                    &initial_heat_content &target_t90 &cem43_t90 &energy_mesh_change
                        &idle_time &energy_idle &peak_temperature &peak_target_t90;
        linear_solver.serialize(archive);
      });
}

void PennesHeat::prepare_for_mesh_change()
{
  heat_content_before_mesh_change = heat_capacity_weights * history.level(0);
  mesh_changing = true;
}

void PennesHeat::state_restored()
{
  // Interpolated levels meet the hanging-node constraints of the new mesh only up to
  // round-off (and not at all where cells were coarsened): enforce them.
  history.distribute(simulator->scalar_space().hanging_node_constraints);
  solution = history.level(0);
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

void PennesHeat::PerfusionField::evaluate(const FEValues<3> &fe_values,
                                          std::vector<double> &values) const
{
  fe_values.get_function_values(heat.temperature, values);
  const TissueCoefficients &c = heat.coefficients[fe_values.get_cell()->material_id()];
  for (double &value : values)
    value =
        c.perfusion->coefficient(value, c.perfusion_baseline, heat.blood_specific_heat) /
        (heat.blood_density * heat.blood_specific_heat);
}
} // namespace ferrotherm
