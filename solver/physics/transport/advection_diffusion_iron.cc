// AdvectionDiffusionIron (see advection_diffusion_iron.h for the equations and the
// method): parameters, set-up, the BDF time stepping of the mobile and bound iron,
// the steady solve, checkpoint/mesh-change state, and the plugin registration.
#include "physics/transport/advection_diffusion_iron.h"

#include "core/input_error.h"
#include "core/module_state.h"
#include "core/parsed_function_at_time.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
#include "physics/transport/ct_iron_map.h"

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ferrotherm
{
using namespace dealii;

void AdvectionDiffusionIron::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Advection diffusion");
  prm.declare_entry("Time stepping", "bdf2",
                    Patterns::Selection("steady|backward euler|bdf2"),
                    "'steady' solves for the steady state (with fixed-concentration "
                    "boundaries or sources).");
  prm.declare_entry("Time step", "60", Patterns::Anything(),
                    "Transport time step (the first one after each injection or magnet "
                    "switch when adaptive), in [1e-6 s, 1e8 s]. " +
                        time_syntax);
  prm.declare_entry("Adaptive time step", "false", Patterns::Bool(),
                    "Steps from 'Time step' on, doubled while the local error estimate "
                    "(BDF predictor-corrector) is below 1/16 of the tolerance, halved "
                    "above it and the step redone above twice it: "
                    "short steps after an injection and under the magnet, hours once "
                    "the iron is (nearly) at rest.");
  prm.declare_entry("Time step tolerance", "1e-4", Patterns::Double(0),
                    "Local error per adaptive step relative to the present peak of the "
                    "mobile iron (or to 1e-3 of the run's peak, once it has fallen "
                    "below that: at rest), in (0, 0.1].");
  prm.declare_entry("Maximum time step", "1 d", Patterns::Anything(),
                    "Largest adaptive step, in [Time step, 1e8 s]. " + time_syntax);
  prm.declare_entry(
      "Diffusivity", "1e-12", Patterns::Double(0),
      "Effective diffusivity D of the particles in tissue [m^2/s], in [0, 1e-5] "
      "(Stokes-Einstein 3e-11 to 7e-12 for r_h 10-50 nm, hindered 3-100x by the "
      "matrix).");
  prm.declare_entry("Diffusivity by label", "", Patterns::Anything(),
                    "Per-label values 'label: D; label: D' overriding the default.");
  prm.declare_entry("Uptake rate", "0", Patterns::Double(0),
                    "k_up [1/s], in [0, 1]: mobile iron taken up by cells becomes "
                    "bound.");
  prm.declare_entry("Uptake rate by label", "", Patterns::Anything(), "'label: k; ...'");
  prm.declare_entry("Clearance rate", "0", Patterns::Double(0),
                    "k_cl [1/s], in [0, 1]: mobile iron removed (lymph, blood).");
  prm.declare_entry("Bound clearance rate", "0", Patterns::Double(0),
                    "k_b [1/s], in [0, 1]: bound iron removed (degradation, cell "
                    "turnover).");
  CtIronMap::declare_parameters(prm, "Additional initial mobile iron");
  prm.declare_entry("Initial concentration", "0", Patterns::Anything(),
                    "Mobile iron at t = 0 [kg/m^3] as an expression in x, y, z.");
  prm.declare_entry("Fluid velocity", "0; 0; 0", Patterns::Anything(),
                    "Interstitial fluid velocity [m/s]: three expressions in x, y, z "
                    "separated by ';'.");
  prm.declare_entry(
      "Injections", "", Patterns::Anything(),
      "Bolus injections 'time: x, y, z, volume, concentration; ...' [time: m, m, m, "
      "m^3 (at most 1e-3), kg Fe/m^3 (at most 1e3)], e.g. '0: 0, 0, 0, 0.3e-6, "
      "112' (a Gaussian depot of the injected volume at the site), or 'time: "
      "tissue, volume, concentration' for iron spread uniformly over a tissue, e.g. "
      "'2 h: tumour, 0.3e-6, 112'. " +
          time_syntax);
  prm.declare_entry(
      "Source", "0", Patterns::Anything(),
      "Continuous source S [kg Fe/(m^3 s)] as an expression in x, y, z, t.");
  prm.declare_entry(
      "Boundary conditions", "", Patterns::Anything(),
      "Per boundary (name or id): 'outflow' or 'fixed concentration c' [kg/m^3] with "
      "c a number or an expression in x, y, z, t (re-evaluated every step if it uses "
      "t), e.g. 'x_min: fixed concentration 0.1*(1 - exp(-t/600))'; unlisted "
      "boundaries have no flux.");
  prm.enter_subsection("Intravenous");
  prm.declare_entry("Dose", "0", Patterns::Double(0),
                    "Iron given intravenously [kg], in [0, 1].");
  prm.declare_entry("Time", "0", Patterns::Anything(),
                    "Time of the infusion, in [0, 1e8 s]. " + time_syntax);
  prm.declare_entry("Distribution volume", "3e-3", Patterns::Double(0),
                    "Plasma volume V_d [m^3], in [0, 1].");
  prm.declare_entry("Plasma half-life", "3600", Patterns::Anything(),
                    "t_half, in [0, 1e8 s]. " + time_syntax);
  prm.declare_entry("Extravasation rate by label", "", Patterns::Anything(),
                    "k_ex per label [1/s] in [0, 1], 'label: k; ...' (tumour > normal "
                    "tissue).");
  prm.leave_subsection();
  prm.enter_subsection("Magnetophoresis");
  prm.declare_entry("Core diameter", "12e-9", Patterns::Double(0), "[m], in (0, 1e-5].");
  prm.declare_entry(
      "Cores per cluster", "1", Patterns::Double(1),
      "Magnetic cores moving together (aggregates, multicore particles), in [1, "
      "1e9].");
  prm.declare_entry("Hydrodynamic radius", "11e-9", Patterns::Double(0),
                    "Stokes radius of the particle or cluster [m], in (0, 1e-5].");
  prm.declare_entry("Saturation magnetisation", "446e3", Patterns::Double(0),
                    "[A/m], in [0, 2e6].");
  prm.declare_entry(
      "Effective viscosity", "1e-2", Patterns::Double(0),
      "Viscosity seen by the particles in tissue, hindrance included [Pa s], in (0, "
      "1e3].");
  prm.declare_entry("Temperature", "37", Patterns::Double(), "[deg C], in [0, 100].");
  prm.leave_subsection();
  prm.declare_entry("Liver tissue", "liver", Patterns::Anything(),
                    "Tissue whose iron load is checked against 4 mg Fe/g.");
  declare_cargo_parameters(prm);
  prm.enter_subsection("Linear solver");
  ScalarLinearSolver::declare_parameters(prm, "block ilu");
  prm.leave_subsection();
  prm.leave_subsection();
}

void AdvectionDiffusionIron::parse_parameters(ParameterHandler &prm,
                                              const RunContext &context)
{
  const std::string section = "Transport/Advection diffusion/";
  prm.enter_subsection("Advection diffusion");
  const std::string scheme = prm.get("Time stepping");
  steady = scheme == "steady";
  second_order = scheme == "bdf2";
  time_step = parse_time(prm.get("Time step"), section + "Time step");
  if (!steady && !(time_step > 0))
    throw_input_error(section + "Time step", "must be positive");
  if (!steady)
    check_range(time_step, 1e-6, 1e8, section + "Time step", "s");
  adaptive = !steady && prm.get_bool("Adaptive time step");
  adaptive_step = time_step;
  step_tolerance = prm.get_double("Time step tolerance");
  check_range(step_tolerance, 0, 0.1, section + "Time step tolerance", "",
              LowerBound::exclusive);
  max_time_step = parse_time(prm.get("Maximum time step"), section + "Maximum time step");
  if (adaptive)
    check_range(max_time_step, time_step, 1e8, section + "Maximum time step", "s");
  default_diffusivity = prm.get_double("Diffusivity");
  diffusivity_by_label = parse_label_values(prm.get("Diffusivity by label"),
                                            section + "Diffusivity by label");
  default_uptake = prm.get_double("Uptake rate");
  uptake_by_label = parse_label_values(prm.get("Uptake rate by label"),
                                       section + "Uptake rate by label");
  clearance = prm.get_double("Clearance rate");
  bound_clearance = prm.get_double("Bound clearance rate");
  check_range(default_diffusivity, 0, 1e-5, section + "Diffusivity", "m^2/s");
  check_range(default_uptake, 0, 1, section + "Uptake rate", "1/s");
  check_range(clearance, 0, 1, section + "Clearance rate", "1/s");
  check_range(bound_clearance, 0, 1, section + "Bound clearance rate", "1/s");
  bool uptake = default_uptake > 0;
  for (const auto &entry : uptake_by_label)
    uptake = uptake || entry.second > 0;
  if (steady && uptake && !(bound_clearance > 0))
    throw_input_error(section + "Bound clearance rate",
                      "with uptake, bound iron has a steady state only if it is cleared; "
                      "set a positive Bound clearance rate or a transient Time stepping");
  initial = std::make_unique<ParsedFunction>(prm.get("Initial concentration"),
                                             section + "Initial concentration",
                                             context.function_constants);
  initial_ct_iron.parse_parameters(prm, context, section);
  const auto components = split(prm.get("Fluid velocity"), ';');
  if (components.size() != 3)
    throw_input_error(section + "Fluid velocity",
                      "expected three expressions separated by ';'");
  for (unsigned int d = 0; d < 3; ++d)
    fluid_velocity[d] = std::make_unique<ParsedFunction>(
        components[d], section + "Fluid velocity", context.function_constants);
  source = std::make_unique<ParsedFunction>(prm.get("Source"), section + "Source",
                                            context.function_constants);
  parse_injections(prm.get("Injections"), section + "Injections");
  boundary_text = prm.get("Boundary conditions");
  function_constants = context.function_constants;
  prm.enter_subsection("Intravenous");
  iv_dose = prm.get_double("Dose");
  iv_time = parse_time(prm.get("Time"), section + "Intravenous/Time");
  iv_volume = prm.get_double("Distribution volume");
  iv_half_life =
      parse_time(prm.get("Plasma half-life"), section + "Intravenous/Plasma half-life");
  check_range(iv_dose, 0, 1, section + "Intravenous/Dose", "kg");
  check_range(iv_time, 0, 1e8, section + "Intravenous/Time", "s");
  check_range(iv_volume, 0, 1, section + "Intravenous/Distribution volume", "m^3");
  check_range(iv_half_life, 0, 1e8, section + "Intravenous/Plasma half-life", "s");
  extravasation_by_label =
      parse_label_values(prm.get("Extravasation rate by label"),
                         section + "Intravenous/Extravasation rate by label");
  prm.leave_subsection();
  if (iv_dose > 0 && !(iv_volume > 0 && iv_half_life > 0))
    throw_input_error(section + "Intravenous",
                      "the distribution volume and plasma half-life "
                      "must be positive");
  prm.enter_subsection("Magnetophoresis");
  particles.core_diameter = prm.get_double("Core diameter");
  particles.cores_per_cluster = prm.get_double("Cores per cluster");
  particles.hydrodynamic_radius = prm.get_double("Hydrodynamic radius");
  particles.saturation_magnetisation = prm.get_double("Saturation magnetisation");
  particles.viscosity = prm.get_double("Effective viscosity");
  particles.temperature = prm.get_double("Temperature") + 273.15;
  prm.leave_subsection();
  if (!(particles.core_diameter > 0))
    throw_input_error(section + "Magnetophoresis/Core diameter", "must be positive");
  if (!(particles.hydrodynamic_radius > 0))
    throw_input_error(section + "Magnetophoresis/Hydrodynamic radius",
                      "the particle radius must be positive, found " +
                          std::to_string(particles.hydrodynamic_radius));
  if (!(particles.viscosity > 0))
    throw_input_error(section + "Magnetophoresis/Effective viscosity",
                      "must be positive");
  const std::string magnetophoresis = section + "Magnetophoresis/";
  check_range(particles.core_diameter, 0, 1e-5, magnetophoresis + "Core diameter", "m",
              LowerBound::exclusive);
  check_range(particles.cores_per_cluster, 1, 1e9, magnetophoresis + "Cores per cluster",
              "");
  check_range(particles.hydrodynamic_radius, 0, 1e-5,
              magnetophoresis + "Hydrodynamic radius", "m", LowerBound::exclusive);
  check_range(particles.saturation_magnetisation, 0, 2e6,
              magnetophoresis + "Saturation magnetisation", "A/m");
  check_range(particles.viscosity, 0, 1e3, magnetophoresis + "Effective viscosity",
              "Pa s", LowerBound::exclusive);
  check_range(particles.temperature - 273.15, 0, 100, magnetophoresis + "Temperature",
              "deg C");
  liver_name = prm.get("Liver tissue");
  parse_cargo_parameters(prm);
  prm.enter_subsection("Linear solver");
  solver.parse_parameters(prm);
  prm.leave_subsection();
  solver.set_nonsymmetric(true);
  prm.leave_subsection();

  // The magnets (top-level section "Magnet"); "always" spans the treatment.
  prm.leave_subsection();
  prm.enter_subsection("Treatment schedule");
  const double end_time = parse_time(prm.get("End time"), "Treatment schedule/End time");
  prm.leave_subsection();
  magnets.parse_parameters(prm, context, end_time);
  prm.enter_subsection("Transport");
}

void AdvectionDiffusionIron::initialize(Simulator &sim)
{
  simulator = &sim;
  warn_about_events_after_the_end();
  for (const auto *map :
       {&diffusivity_by_label, &uptake_by_label, &extravasation_by_label})
    for (const auto &entry : *map)
      if (sim.labels_in_mesh().count(entry.first) == 0)
        throw_input_error("Transport/Advection diffusion",
                          "the mesh has no label " + std::to_string(entry.first));
  for (const auto &entry : diffusivity_by_label)
    if (entry.second < 0)
      throw_input_error("Transport/Advection diffusion/Diffusivity by label",
                        "negative diffusivity for label " + std::to_string(entry.first));
  const std::string section = "Transport/Advection diffusion/";
  for (const auto &entry : diffusivity_by_label)
    check_range(entry.second, 0, 1e-5,
                section + "Diffusivity by label (label " + std::to_string(entry.first) +
                    ")",
                "m^2/s");
  for (const auto &entry : uptake_by_label)
    check_range(entry.second, 0, 1,
                section + "Uptake rate by label (label " + std::to_string(entry.first) +
                    ")",
                "1/s");
  for (const auto &entry : extravasation_by_label)
    check_range(entry.second, 0, 1,
                section + "Intravenous/Extravasation rate by label (label " +
                    std::to_string(entry.first) + ")",
                "1/s");
  parse_boundaries();
  check_injection_sites();
  initialize_cargo();
  sim.fields().add("iron", "kg/m^3", "total iron (mobile + bound)", "Transport",
                   &total_field);
  sim.fields().add("iron_mobile", "kg/m^3", "mobile iron", "Transport", &mobile_field);
  sim.fields().add("iron_bound", "kg/m^3", "cell-bound iron", "Transport", &bound_field);
  sim.fields().add("iron_speed", "m/s", "particle drift speed |u|", "Transport",
                   &speed_field);
  if (!magnets.empty())
  {
    sim.fields().add("magnet_B", "T",
                     "flux density |B| of the static magnets (while applied)",
                     "Transport", &magnet_flux_density);
    sim.fields().add("magnet_gradient", "T/m",
                     "|grad |B|| of the static magnets (while applied)", "Transport",
                     &magnet_gradient);
  }
}

void AdvectionDiffusionIron::setup()
{
  const ScalarSpace &space = simulator->scalar_space();
  const MPI_Comm comm = space.dof_handler.get_communicator();
  setup_constraints(0.0);
  DynamicSparsityPattern pattern;
  space.make_sparsity_pattern(constraints, pattern);
  system_matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
  history_matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
  assembled_factor = -1; // assembled on the first step (also after a mesh change)
  for (LA::MPI::Vector *v : {&solution, &rhs, &work, &source_rhs, &predictor})
    v->reinit(space.locally_owned, comm);
  for (FieldVector *v : {&mobile, &bound_concentration, &total, &bound_mass,
                         &old_bound_mass, &older_bound_mass})
    *v = space.make_field_vector();

  // Nodal weights integral(phi_i) and integral(k_up phi_i), and the velocity at the
  // quadrature points (magnets at their nominal field; fluid).
  interstitial_velocity = simulator->fields().find_vector("interstitial_velocity");
  node_volume = space.make_field_vector();
  uptake_weight = space.make_field_vector();
  std::vector<Tensor<1, 3>> darcy(space.cell_quadrature.size());
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_quadrature_points |
                            update_JxW_values);
  const unsigned int n = space.fe.n_dofs_per_cell(), n_q = space.cell_quadrature.size();
  std::vector<types::global_dof_index> indices(n);
  magnet_velocity.clear();
  fluid_velocity_values.clear();
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    cell->get_dof_indices(indices);
    if (interstitial_velocity != nullptr)
      interstitial_velocity->evaluate(fe_values, darcy);
    const double k_up = label_value(uptake_by_label, cell->material_id(), default_uptake);
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const Point<3> x = fe_values.quadrature_point(q);
      for (unsigned int i = 0; i < n; ++i)
      {
        node_volume(indices[i]) += fe_values.shape_value(i, q) * fe_values.JxW(q);
        uptake_weight(indices[i]) +=
            k_up * fe_values.shape_value(i, q) * fe_values.JxW(q);
      }
      Tensor<1, 3> u_mag, u_fluid;
      if (!magnets.empty())
      {
        double b;
        Tensor<1, 3> gradient;
        magnetic_gradient(magnets.list(), x, gradient_step, b, gradient);
        u_mag = magnetophoretic_velocity(particles, b, gradient);
      }
      for (unsigned int d = 0; d < 3; ++d)
        u_fluid[d] = fluid_velocity[d]->value(x);
      if (interstitial_velocity != nullptr)
        u_fluid += darcy[q];
      magnet_velocity.push_back(u_mag);
      fluid_velocity_values.push_back(u_fluid);
    }
  }
  node_volume.compress(VectorOperation::add);
  uptake_weight.compress(VectorOperation::add);
  node_volume.update_ghost_values();
  uptake_weight.update_ghost_values();

  // Initial state.
  ParsedFunctionAtTime expression(*initial, 0.0);
  ScalarFunctionFromFunctionObject<3> start(
      [&](const Point<3> &x) { return expression.value(x) + initial_ct_iron.value(x); });
  VectorTools::interpolate(*space.mapping, space.dof_handler, start, solution);
  constraints.distribute(solution);
  history.reinit(space.locally_owned, comm, adaptive ? 3 : 2);
  history.start(solution);
  update_fields();
  totals = Totals();
  totals.mobile = mobile_mass();
  totals.injected = totals.mobile; // the initial iron counts as put in at t = 0
  old_totals = totals;
  older_totals = totals;
  target_weights = simulator->nodal_weights(simulator->target_labels());
  setup_cargo();
}

void AdvectionDiffusionIron::register_state(ModuleState &state)
{
  const auto &dofs = simulator->scalar_space().dof_handler;
  history.register_state(state, "mobile iron", dofs);
  state.add_vector("bound iron mass", dofs, old_bound_mass);
  state.add_vector("bound iron mass (previous level)", dofs, older_bound_mass);
  state.add_record(
      [this](StateArchive &archive)
      {
        std::vector<unsigned int> done;
        for (const Injection *injection : done_injections)
          done.push_back(injection - injections.data());
        archive &done &totals &old_totals &older_totals &iron_version &n_steps
            &n_iterations &adaptive_step &peak_concentration &n_rejected &magnet_applied;
        if (archive.loading())
        {
          done_injections.clear();
          for (const unsigned int k : done)
            done_injections.push_back(&injections.at(k));
        }
      });
  register_cargo_state(state);
}

// Bound iron is kept as nodal masses, which interpolation does not carry to new
// nodes: it moves as concentrations.
void AdvectionDiffusionIron::prepare_for_mesh_change()
{
  mass_before_mesh_change = totals.mobile + totals.bound;
  cargo_to_concentrations();
  for (FieldVector *masses : {&old_bound_mass, &older_bound_mass})
  {
    for (unsigned int i = 0; i < masses->locally_owned_size(); ++i)
    {
      const double volume = node_volume.local_element(i);
      masses->local_element(i) = volume > 0 ? masses->local_element(i) / volume : 0.0;
    }
    masses->update_ghost_values();
  }
  mesh_changing = true;
}

void AdvectionDiffusionIron::state_restored()
{
  if (mesh_changing)
  {
    // Interpolated levels meet the new hanging-node constraints (exactly where
    // cells were refined, not where they were coarsened): enforce them.
    history.distribute(simulator->scalar_space().hanging_node_constraints);
    for (FieldVector *masses : {&old_bound_mass, &older_bound_mass})
    {
      for (unsigned int i = 0; i < masses->locally_owned_size(); ++i)
        masses->local_element(i) *= node_volume.local_element(i);
      masses->update_ghost_values();
    }
  }
  solution = history.level(0);
  bound_mass = old_bound_mass;
  update_fields();
  if (mesh_changing)
  {
    // Refinement keeps the mass (nested spaces); coarsening changes it: the change is
    // booked, and the next step is first order, so that the BDF bookkeeping uses
    // only the level whose mass it knows.
    double bound = 0;
    for (unsigned int i = 0; i < bound_mass.locally_owned_size(); ++i)
      bound += bound_mass.local_element(i);
    totals.mobile = mobile_mass();
    totals.bound = Utilities::MPI::sum(bound, simulator->mpi_communicator());
    const double change = totals.mobile + totals.bound - mass_before_mesh_change;
    totals.mesh_change += change;
    if (std::abs(change) > 1e-13 * mass_before_mesh_change)
      history.first_order_next();
    cargo_from_concentrations();
    mesh_changing = false;
  }
  else if (cargo.enabled)
  {
    assemble_cargo_release();
    update_cargo_fields();
  }
}

bool AdvectionDiffusionIron::step(double t_new, double dt, bool magnet_on,
                                  bool may_reject)
{
  const BdfHistory::Coefficients bdf = history.coefficients(dt, second_order ? 2 : 1);
  const bool bdf2 = bdf.order == 2;
  const double a0 = bdf.a0, a1 = bdf.a1, a2 = bdf.a2;
  const double factor = a0 / dt;
  // The matrices (and their preconditioner) are rebuilt only when the step size or
  // the magnet state changes; time-dependent sources only need a new right-hand side.
  bool sources_stale = time_dependent_sources();
  if (factor != assembled_factor || magnet_on != assembled_magnet)
  {
    magnet_applied = magnet_on;
    assemble_matrices(factor, magnet_on);
    sources_stale = true;
  }
  if (sources_stale)
    assemble_sources(t_new);
  // rhs = (M + M_supg)(-(a1 c^n + a2 c^(n-1)))/dt + sources
  work.equ(-a1 / dt, history.level(0));
  if (a2 != 0)
    work.add(-a2 / dt, history.level(1));
  history_matrix.vmult(rhs, work);
  rhs += source_rhs;
  // Warm start: the linear extrapolation of the levels (BDF2 steps); adaptive steps
  // extrapolate to the order of the step, which is also the error estimate's predictor.
  const bool can_estimate = adaptive && history.available_levels() >= bdf.order + 1;
  history.extrapolate(dt, adaptive ? bdf.order : (bdf2 ? 1 : 0), solution);
  if (can_estimate)
    predictor = solution;
  FieldVector mass_history;
  if (has_fixed_boundaries)
  {
    mass_history = simulator->scalar_space().make_field_vector();
    copy_owned_values(work, mass_history); // -(a1 c^n + a2 c^(n-1))/dt
    mass_history *= -1.0;
    mass_history.update_ghost_values();
  }
  apply_fixed_concentrations(t_new, factor, &mass_history);
  n_iterations += solver.solve(system_matrix, system_matrix, solution, rhs, "Transport");
  constraints.distribute(solution);
  last_estimate = -1;
  if (can_estimate)
  {
    predictor -= solution;
    // Relative to the present peak, or to 1e-3 of the run's peak once the mobile iron
    // has fallen below it (bound, cleared or gone: at rest).
    const double scale = std::max(solution.linfty_norm(), 1e-3 * peak_concentration);
    last_estimate = BdfHistory::error_estimate_constant(bdf.order) *
                    predictor.linfty_norm() /
                    std::max(scale, std::numeric_limits<double>::min());
    if (may_reject && last_estimate > 2 * step_tolerance)
    {
      solution = history.level(0); // nothing else has changed yet
      return false;
    }
  }
  update_mobile();

  // Bound iron per node (mass): a0 b + a1 b^n + a2 b^(n-1) = dt (w_up c - k_b b).
  double bound_total = 0, bound_clearance_rate = 0;
  for (unsigned int i = 0; i < bound_mass.locally_owned_size(); ++i)
  {
    const double c = mobile.local_element(i);
    const double bound_history =
        -(a1 * old_bound_mass.local_element(i) + a2 * older_bound_mass.local_element(i));
    const double b = (bound_history + dt * uptake_weight.local_element(i) * c) /
                     (a0 + dt * bound_clearance);
    bound_mass.local_element(i) = b;
    bound_total += b;
    bound_clearance_rate += bound_clearance * b;
  }
  const MPI_Comm comm = simulator->mpi_communicator();
  bound_total = Utilities::MPI::sum(bound_total, comm);
  bound_clearance_rate = Utilities::MPI::sum(bound_clearance_rate, comm);

  // Mass bookkeeping with the same BDF formula.
  Totals next;
  next.injected = totals.injected;
  next.mesh_change = totals.mesh_change;
  next.mobile = mobile_mass();
  next.bound = bound_total;
  const double cleared_rate = clearance * next.mobile + bound_clearance_rate;
  const auto integrate = [&](double old_value, double older_value, double rate)
  { return bdf.integrate(dt, old_value, older_value, rate); };
  next.sourced = integrate(totals.sourced, old_totals.sourced, source_power);
  next.cleared = integrate(totals.cleared, old_totals.cleared, cleared_rate);
  next.outflow =
      integrate(totals.outflow, old_totals.outflow, outflow_rate(mobile, magnet_on));
  if (has_fixed_boundaries)
  {
    // (a0 c + a1 c^n + a2 c^(n-1))/dt = c a0/dt + mass_history.
    FieldVector bdf = mobile;
    bdf *= factor;
    bdf += mass_history;
    bdf.update_ghost_values();
    next.boundary_in =
        integrate(totals.boundary_in, old_totals.boundary_in, fixed_inflow_rate(bdf));
  }
  older_totals = old_totals;
  old_totals = totals;
  totals = next;

  history.accept(solution, dt);
  older_bound_mass = old_bound_mass;
  old_bound_mass = bound_mass;
  update_fields();
  if (cargo.enabled)
    step_cargo(dt, bdf, magnet_on);
  ++n_steps;
  return true;
}

void AdvectionDiffusionIron::solve_steady(double t)
{
  magnet_applied = !magnets.empty() && magnets.application().active(0, t);
  assemble_matrices(0, magnet_applied);
  assemble_sources(t);
  rhs = source_rhs;
  apply_fixed_concentrations(t, 0.0, nullptr);
  n_iterations += solver.solve(system_matrix, system_matrix, solution, rhs, "Transport");
  constraints.distribute(solution);
  update_mobile();
  // Steady bound iron per node: k_b b = w_up c.
  double bound_total = 0;
  for (unsigned int i = 0; i < bound_mass.locally_owned_size(); ++i)
  {
    const double weight = uptake_weight.local_element(i);
    bound_mass.local_element(i) =
        weight > 0 ? weight * mobile.local_element(i) / bound_clearance : 0.0;
    bound_total += bound_mass.local_element(i);
  }
  update_fields();
  totals.mobile = mobile_mass();
  totals.bound = Utilities::MPI::sum(bound_total, simulator->mpi_communicator());
  ++n_steps;
  ++iron_version;
}

std::map<unsigned int, double>
AdvectionDiffusionIron::parse_label_values(const std::string &text,
                                           const std::string &where)
{
  std::map<unsigned int, double> values;
  for (const auto &entry : parse_key_value_list(text, where))
    values[parse_unsigned(entry.first, where)] = parse_double(entry.second, where);
  return values;
}

FERROTHERM_REGISTER_PLUGIN(
    IronModel, AdvectionDiffusionIron, "advection diffusion",
    "MNP transport by magnetophoresis, fluid flow and diffusion, with "
    "uptake, clearance, injections and intravenous delivery")
} // namespace ferrotherm
