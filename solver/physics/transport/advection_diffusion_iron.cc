// AdvectionDiffusionIron: transport of magnetic nanoparticles in tissue,
//   dc/dt + div(c u) = div(D grad c) - (k_up + k_cl) c + S,
//   dc_b/dt = k_up c - k_b c_b,
// with the mobile iron c and the bound (cell-internalised) iron c_b [kg Fe/m^3],
// velocity u = u_mag + u_fluid (magnetophoretic drift from the static magnets while they
// are applied, magnetophoresis.h, plus the interstitial fluid velocity: prescribed, or
// from the Darcy-Starling solve of interstitial_flow.h), tissue-dependent diffusivity D,
// uptake k_up and clearance k_cl, k_b, and sources: bolus injections (a Gaussian depot
// of the injected volume and concentration, NanoTherm-like 112 mg Fe/mL, or the same
// mass spread uniformly over a tissue region), a continuous source S(x, t), and
// intravenous delivery with a mono-exponential plasma course
// C_p(t) = (dose / V_d) exp(-ln 2 (t - t_iv) / t_half) and extravasation S = k_ex C_p per
// tissue (EPR effect).
// Discretisation: the conservative Galerkin form (no-flux boundaries conserve mass
// exactly) with SUPG stabilisation (Brooks & Hughes 1982; tau = h/(2|u|)(coth Pe - 1/Pe)
// with h the element length along u), backward Euler or BDF2 in time, GMRES. Boundaries:
// no flux (default), outflow (advective flux leaves), fixed concentration c_b(x, t) (an
// expression, lifted every step: dirichlet_lifting.h). The mass balance (injected +
// sourced + boundary inflow = mobile + bound + cleared + outflow, the inflow through
// fixed-concentration boundaries being the residual of their rows) is integrated with
// the same BDF formula as the equation, so it closes to solver tolerance.
#include "core/boundary_names.h"
#include "core/dirichlet_lifting.h"
#include "core/input_error.h"
#include "core/linear_algebra.h"
#include "core/module_state.h"
#include "core/parsed_function.h"
#include "core/parsed_function_at_time.h"
#include "core/range_check.h"
#include "core/scalar_linear_solver.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "core/tissue_database.h"
#include "models/magnets/magnet_arrangement.h"
#include "physics/transport/interstitial_flow.h"
#include "physics/transport/iron_model.h"
#include "physics/transport/magnetophoresis.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/vector_tools.h>

#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace ferrotherm
{
namespace
{
using namespace dealii;

// A bolus at a site (Gaussian depot) or spread uniformly over a tissue region.
struct Injection
{
  double time;
  Point<3> site;
  std::string region; // tissue name; empty for a site injection
  unsigned int region_label = 0;
  double volume;        // m^3
  double concentration; // kg/m^3
};

enum class TransportBoundary
{
  no_flux,
  outflow,
  fixed
};

class AdvectionDiffusionIron : public IronModel
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Advection diffusion");
    prm.declare_entry("Time stepping", "bdf2",
                      Patterns::Selection("steady|backward euler|bdf2"),
                      "'steady' solves for the steady state (with fixed-concentration "
                      "boundaries or sources).");
    prm.declare_entry("Time step", "60", Patterns::Double(0),
                      "Transport time step [s], in [1e-6, 1e8].");
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
    prm.declare_entry("Uptake rate by label", "", Patterns::Anything(),
                      "'label: k; ...'");
    prm.declare_entry("Clearance rate", "0", Patterns::Double(0),
                      "k_cl [1/s], in [0, 1]: mobile iron removed (lymph, blood).");
    prm.declare_entry("Bound clearance rate", "0", Patterns::Double(0),
                      "k_b [1/s], in [0, 1]: bound iron removed (degradation, cell "
                      "turnover).");
    prm.declare_entry("Initial concentration", "0", Patterns::Anything(),
                      "Mobile iron at t = 0 [kg/m^3] as an expression in x, y, z.");
    prm.declare_entry("Fluid velocity", "0; 0; 0", Patterns::Anything(),
                      "Interstitial fluid velocity [m/s]: three expressions in x, y, z "
                      "separated by ';'.");
    prm.declare_entry(
        "Injections", "", Patterns::Anything(),
        "Bolus injections 'time: x, y, z, volume, concentration; ...' [s: m, m, m, "
        "m^3 (at most 1e-3), kg Fe/m^3 (at most 1e3)], e.g. '0: 0, 0, 0, 0.3e-6, "
        "112' (a Gaussian depot of the injected volume at the site), or 'time: "
        "tissue, volume, concentration' for iron spread uniformly over a tissue, e.g. "
        "'0: tumour, 0.3e-6, 112'.");
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
    prm.declare_entry("Time", "0", Patterns::Double(0),
                      "Time of the infusion [s], in [0, 1e8].");
    prm.declare_entry("Distribution volume", "3e-3", Patterns::Double(0),
                      "Plasma volume V_d [m^3], in [0, 1].");
    prm.declare_entry("Plasma half-life", "3600", Patterns::Double(0),
                      "t_half [s], in [0, 1e8].");
    prm.declare_entry("Extravasation rate by label", "", Patterns::Anything(),
                      "k_ex per label [1/s] in [0, 1], 'label: k; ...' (tumour > normal "
                      "tissue).");
    prm.leave_subsection();
    prm.enter_subsection("Magnetophoresis");
    prm.declare_entry("Core diameter", "12e-9", Patterns::Double(0),
                      "[m], in (0, 1e-5].");
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
    InterstitialFlow::declare_parameters(prm);
    prm.declare_entry("Liver tissue", "liver", Patterns::Anything(),
                      "Tissue whose iron load is checked against 4 mg Fe/g.");
    prm.enter_subsection("Linear solver");
    ScalarLinearSolver::declare_parameters(prm, "block ilu");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    const std::string section = "Transport/Advection diffusion/";
    prm.enter_subsection("Advection diffusion");
    const std::string scheme = prm.get("Time stepping");
    steady = scheme == "steady";
    second_order = scheme == "bdf2";
    time_step = prm.get_double("Time step");
    if (!steady && !(time_step > 0))
      throw_input_error(section + "Time step", "must be positive");
    if (!steady)
      check_range(time_step, 1e-6, 1e8, section + "Time step", "s");
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
      throw_input_error(
          section + "Bound clearance rate",
          "with uptake, bound iron has a steady state only if it is cleared; "
          "set a positive Bound clearance rate or a transient Time stepping");
    initial = std::make_unique<ParsedFunction>(prm.get("Initial concentration"),
                                               section + "Initial concentration",
                                               context.function_constants);
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
    iv_time = prm.get_double("Time");
    iv_volume = prm.get_double("Distribution volume");
    iv_half_life = prm.get_double("Plasma half-life");
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
    check_range(particles.cores_per_cluster, 1, 1e9,
                magnetophoresis + "Cores per cluster", "");
    check_range(particles.hydrodynamic_radius, 0, 1e-5,
                magnetophoresis + "Hydrodynamic radius", "m", LowerBound::exclusive);
    check_range(particles.saturation_magnetisation, 0, 2e6,
                magnetophoresis + "Saturation magnetisation", "A/m");
    check_range(particles.viscosity, 0, 1e3, magnetophoresis + "Effective viscosity",
                "Pa s", LowerBound::exclusive);
    check_range(particles.temperature - 273.15, 0, 100, magnetophoresis + "Temperature",
                "deg C");
    liver_name = prm.get("Liver tissue");
    interstitial.parse_parameters(prm);
    prm.enter_subsection("Linear solver");
    solver.parse_parameters(prm);
    prm.leave_subsection();
    solver.set_nonsymmetric(true);
    prm.leave_subsection();

    // The magnets (top-level section "Magnet"); "always" spans the treatment.
    prm.leave_subsection();
    prm.enter_subsection("Treatment schedule");
    const double end_time = prm.get_double("End time");
    prm.leave_subsection();
    magnets.parse_parameters(prm, context, end_time);
    prm.enter_subsection("Transport");
  }

  void initialize(Simulator &sim) override
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
                          "negative diffusivity for label " +
                              std::to_string(entry.first));
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
    interstitial.check_labels(sim.labels_in_mesh());
    if (interstitial.active())
      sim.fields().add("interstitial_pressure", "Pa", "interstitial fluid pressure",
                       "Transport", &pressure_field);
    sim.fields().add("iron", "kg/m^3", "total iron (mobile + bound)", "Transport",
                     &total_field);
    sim.fields().add("iron_mobile", "kg/m^3", "mobile iron", "Transport", &mobile_field);
    sim.fields().add("iron_bound", "kg/m^3", "cell-bound iron", "Transport",
                     &bound_field);
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

  void setup() override
  {
    const ScalarSpace &space = simulator->scalar_space();
    const MPI_Comm comm = space.dof_handler.get_communicator();
    setup_constraints(0.0);
    DynamicSparsityPattern pattern(space.locally_relevant);
    DoFTools::make_sparsity_pattern(space.dof_handler, pattern, constraints, false);
    SparsityTools::distribute_sparsity_pattern(pattern, space.locally_owned, comm,
                                               space.locally_relevant);
    system_matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
    history_matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
    assembled_factor = -1; // assembled on the first step (also after a mesh change)
    for (LA::MPI::Vector *v :
         {&solution, &old_solution, &older_solution, &rhs, &work, &source_rhs})
      v->reinit(space.locally_owned, comm);
    for (FieldVector *v : {&mobile, &bound_concentration, &total, &bound_mass,
                           &old_bound_mass, &older_bound_mass})
      *v = space.make_field_vector();

    // Nodal weights integral(phi_i) and integral(k_up phi_i), and the velocity at the
    // quadrature points (magnets at their nominal field; fluid).
    if (interstitial.active())
      interstitial.solve(space);
    node_volume = space.make_field_vector();
    uptake_weight = space.make_field_vector();
    std::vector<Tensor<1, 3>> darcy(space.cell_quadrature.size());
    FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                          update_values | update_quadrature_points | update_JxW_values);
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
      if (interstitial.active())
        interstitial.velocity(fe_values, darcy);
      const double k_up =
          label_value(uptake_by_label, cell->material_id(), default_uptake);
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
        if (interstitial.active())
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
    ParsedFunctionAtTime start(*initial, 0.0);
    VectorTools::interpolate(*space.mapping, space.dof_handler, start, solution);
    constraints.distribute(solution);
    old_solution = solution;
    older_solution = solution;
    history_levels = 1;
    update_fields();
    totals = Totals();
    totals.mobile = mobile_mass();
    totals.injected = totals.mobile; // the initial iron counts as put in at t = 0
    old_totals = totals;
    older_totals = totals;
    target_weights = simulator->nodal_weights(simulator->target_labels());
  }

  void register_state(ModuleState &state) override
  {
    const auto &dofs = simulator->scalar_space().dof_handler;
    state.add_vector("mobile iron", dofs, old_solution);
    state.add_vector("mobile iron (previous level)", dofs, older_solution);
    state.add_vector("bound iron mass", dofs, old_bound_mass);
    state.add_vector("bound iron mass (previous level)", dofs, older_bound_mass);
    state.add_record(
        [this](StateArchive &archive)
        {
          std::vector<unsigned int> done;
          for (const Injection *injection : done_injections)
            done.push_back(injection - injections.data());
          archive &done &last_step &history_levels &totals &old_totals &older_totals
              &iron_version &n_steps &n_iterations;
          if (archive.loading())
          {
            done_injections.clear();
            for (const unsigned int k : done)
              done_injections.push_back(&injections.at(k));
          }
        });
  }

  // Bound iron is kept as nodal masses, which interpolation does not carry to new
  // nodes: it moves as concentrations.
  void prepare_for_mesh_change() override
  {
    mass_before_mesh_change = totals.mobile + totals.bound;
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

  void state_restored() override
  {
    if (mesh_changing)
    {
      // Interpolated levels meet the new hanging-node constraints (exactly where
      // cells were refined, not where they were coarsened): enforce them.
      for (LA::MPI::Vector *level : {&old_solution, &older_solution})
        simulator->scalar_space().hanging_node_constraints.distribute(*level);
      for (FieldVector *masses : {&old_bound_mass, &older_bound_mass})
      {
        for (unsigned int i = 0; i < masses->locally_owned_size(); ++i)
          masses->local_element(i) *= node_volume.local_element(i);
        masses->update_ghost_values();
      }
    }
    solution = old_solution;
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
        history_levels = 1;
      mesh_changing = false;
    }
  }

  void advance(double t_old, double t_new) override
  {
    if (steady)
    {
      solve_steady(t_new);
      return;
    }
    double t = t_old;
    while (t < t_new - 1e-10 * std::max(1.0, std::abs(t_new)))
    {
      // Injections due by now enter before the step (steps end at injection times).
      for (const Injection &injection : injections)
        if (injection.time <= t + 1e-9 * std::max(1.0, t))
          inject(injection);
      // Steps end at injections and magnet switches inside the macro step.
      double t_end = std::min(t_new, magnets.application().next_switch_after(t));
      for (const Injection &injection : injections)
        if (injection.time > t * (1 + 1e-12) + 1e-12 && injection.time < t_end)
          t_end = injection.time;
      // Equal steps over the segment: one dt (so one matrix and preconditioner) for all.
      const double remaining = t_end - t;
      const unsigned int n_segment_steps =
          std::max(1.0, std::ceil(remaining / time_step - 1e-9));
      const double dt = remaining / n_segment_steps;
      if (remaining < time_step * (1 - 1e-9))
        simulator->warnings().warn_shortened_step(
            "Transport/Advection diffusion/Time step", time_step, dt);
      const bool magnet_on = !magnets.empty() && magnets.application().active(t, t + dt);
      for (unsigned int k = 1; k <= n_segment_steps; ++k)
        step(k == n_segment_steps ? t_end : t + k * dt, dt, magnet_on);
      t = t_end;
    }
    ++iron_version;
  }

  void add_statistics(StatisticsRow &row) const override
  {
    const MPI_Comm comm = simulator->mpi_communicator();
    row.emplace_back("iron_injected_kg", totals.injected);
    row.emplace_back("iron_sourced_kg", totals.sourced);
    row.emplace_back("iron_mobile_kg", totals.mobile);
    row.emplace_back("iron_bound_kg", totals.bound);
    row.emplace_back("iron_cleared_kg", totals.cleared);
    row.emplace_back("iron_outflow_kg", totals.outflow);
    row.emplace_back("iron_boundary_in_kg", totals.boundary_in);
    const double put_in =
        totals.injected + totals.sourced + totals.boundary_in + totals.mesh_change;
    if (simulator->adaptive_mesh())
      row.emplace_back("iron_mesh_change_kg", totals.mesh_change);
    const double scale = totals.injected + totals.sourced + std::abs(totals.boundary_in);
    const double accounted =
        totals.mobile + totals.bound + totals.cleared + totals.outflow;
    // A steady state with fixed concentrations has no history to balance.
    row.emplace_back("iron_mass_balance_error",
                     steady && has_fixed_boundaries ? std::nan("")
                     : scale > 0                    ? std::abs(put_in - accounted) / scale
                                                    : 0.0);
    double minimum = std::numeric_limits<double>::max(), maximum = 0;
    for (unsigned int i = 0; i < mobile.locally_owned_size(); ++i)
    {
      minimum = std::min(minimum, mobile.local_element(i));
      maximum = std::max(maximum, mobile.local_element(i));
    }
    row.emplace_back("iron_min_kg_per_m3", Utilities::MPI::min(minimum, comm));
    row.emplace_back("iron_max_kg_per_m3", Utilities::MPI::max(maximum, comm));
    double in_target = 0;
    for (const auto &entry : target_weights)
      in_target += entry.second * total.local_element(entry.first);
    in_target = Utilities::MPI::sum(in_target, comm);
    row.emplace_back("iron_in_target_kg", in_target);
    row.emplace_back("iron_target_fraction",
                     totals.mobile + totals.bound > 0
                         ? in_target / (totals.mobile + totals.bound)
                         : 0.0);
    row.emplace_back("iron_transport_steps", n_steps);
    row.emplace_back("iron_gmres_iterations", n_iterations);
    add_tissue_loads(row);
  }

  void add_output(DataOut<3> &data_out) override
  {
    const ScalarSpace &space = simulator->scalar_space();
    data_out.add_data_vector(space.dof_handler, mobile, "iron_mobile");
    data_out.add_data_vector(space.dof_handler, bound_concentration, "iron_bound");
    data_out.add_data_vector(space.dof_handler, total, "iron");
    if (interstitial.active())
      data_out.add_data_vector(space.dof_handler, interstitial.pressure(),
                               "interstitial_pressure");
    // Drift speed |u_mag + u_fluid| at the cell centres.
    FEValues<3> centre(*space.mapping, space.fe, QGauss<3>(1),
                       update_values | update_gradients | update_quadrature_points);
    std::vector<double> speed(1);
    cell_speed.reinit(simulator->triangulation().n_active_cells());
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        centre.reinit(cell);
        speed_field.evaluate(centre, speed);
        cell_speed(cell->active_cell_index()) = speed[0];
      }
    data_out.add_data_vector(cell_speed, "iron_drift_speed", DataOut<3>::type_cell_data);
  }

private:
  struct NodalField : Field
  {
    const AdvectionDiffusionIron *model;
    const FieldVector *values;
    NodalField(const AdvectionDiffusionIron *model, const FieldVector *values)
        : model(model), values(values)
    {
    }
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &result) const override
    {
      fe_values.get_function_values(*values, result);
    }
    unsigned int version() const override { return model->iron_version; }
    const FieldVector *nodal_values() const override { return values; }
  };

  struct SpeedField : Field
  {
    const AdvectionDiffusionIron *model;
    explicit SpeedField(const AdvectionDiffusionIron *model) : model(model) {}
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &result) const override
    {
      std::vector<Tensor<1, 3>> darcy(result.size());
      if (model->interstitial.active())
        model->interstitial.velocity(fe_values, darcy);
      for (unsigned int q = 0; q < result.size(); ++q)
        result[q] = (model->velocity_at_point(fe_values.quadrature_point(q),
                                              model->magnet_applied) +
                     darcy[q])
                        .norm();
    }
    unsigned int version() const override { return model->iron_version; }
  };

  // |B| or |grad |B|| of the magnets while they are applied (zero otherwise).
  struct MagnetField : Field
  {
    const AdvectionDiffusionIron *model;
    bool gradient_magnitude;
    MagnetField(const AdvectionDiffusionIron *model, bool gradient_magnitude)
        : model(model), gradient_magnitude(gradient_magnitude)
    {
    }
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &result) const override
    {
      for (unsigned int q = 0; q < result.size(); ++q)
      {
        double b = 0;
        Tensor<1, 3> gradient;
        if (model->magnet_applied)
          magnetic_gradient(model->magnets.list(), fe_values.quadrature_point(q),
                            model->gradient_step, b, gradient);
        result[q] = gradient_magnitude ? gradient.norm() : b;
      }
    }
    unsigned int version() const override { return model->iron_version; }
  };

  // Mass bookkeeping [kg]; integrated with the step's BDF formula.
  struct Totals
  {
    double injected = 0, sourced = 0, mobile = 0, bound = 0, cleared = 0, outflow = 0;
    double boundary_in = 0; // net inflow through fixed-concentration boundaries
    double mesh_change = 0; // mass change of adaptive mesh changes (coarsening)
  };

  static std::map<unsigned int, double> parse_label_values(const std::string &text,
                                                           const std::string &where)
  {
    std::map<unsigned int, double> values;
    for (const auto &entry : parse_key_value_list(text, where))
      values[parse_unsigned(entry.first, where)] = parse_double(entry.second, where);
    return values;
  }

  static double label_value(const std::map<unsigned int, double> &values,
                            unsigned int label, double fallback)
  {
    const auto it = values.find(label);
    return it == values.end() ? fallback : it->second;
  }

  // Injections, magnet intervals and the intravenous dose at or after the End time never
  // happen: said.
  void warn_about_events_after_the_end() const
  {
    if (simulator->is_steady())
      return;
    const double end = simulator->schedule().end_time();
    for (const Injection &injection : injections)
      if (injection.time >= end)
      {
        std::ostringstream message;
        message << "Transport/Advection diffusion/Injections: the injection at t = "
                << injection.time << " s comes at or after the End time (" << end
                << " s) and is not given";
        simulator->warnings().warn("injection after the end", message.str());
      }
    if (!magnets.empty())
      for (const auto &interval : magnets.application().list())
        if (interval.first >= end)
        {
          std::ostringstream message;
          message << "Magnet/Applied: the interval " << interval.first << "-"
                  << interval.second << " s starts at or after the End time (" << end
                  << " s) and is not applied";
          simulator->warnings().warn("magnet applied after the end", message.str());
        }
    if (iv_dose > 0 && iv_time >= end)
    {
      std::ostringstream message;
      message
          << "Transport/Advection diffusion/Intravenous/Time: the intravenous dose at "
          << "t = " << iv_time << " s comes at or after the End time (" << end
          << " s) and is not given";
      simulator->warnings().warn("injection after the end", message.str());
    }
  }

  void parse_injections(const std::string &text, const std::string &where)
  {
    injections.clear();
    for (const auto &entry : parse_key_value_list(text, where))
    {
      const std::string context = where + " (at t = " + entry.first + ")";
      Injection injection;
      injection.time = parse_double(entry.first, where);
      const auto pieces = split(entry.second, ',');
      if (pieces.size() == 3 && !pieces[0].empty() &&
          !(std::isdigit(static_cast<unsigned char>(pieces[0][0])) ||
            pieces[0][0] == '-' || pieces[0][0] == '+' || pieces[0][0] == '.'))
      {
        injection.region = pieces[0];
        injection.volume = parse_double(pieces[1], context);
        injection.concentration = parse_double(pieces[2], context);
      }
      else
      {
        const auto values = parse_double_list(entry.second, context, 5);
        injection.site = Point<3>(values[0], values[1], values[2]);
        injection.volume = values[3];
        injection.concentration = values[4];
      }
      if (injection.time < 0 || !(injection.volume > 0) || !(injection.concentration > 0))
        throw_input_error(
            where, "an injection needs time >= 0, volume > 0 and concentration > 0");
      check_range(injection.time, 0, 1e8, context + " time", "s");
      check_range(injection.volume, 0, 1e-3, context + " volume", "m^3");
      check_range(injection.concentration, 0, 1e3, context + " concentration", "kg/m^3");
      injections.push_back(injection);
    }
  }

  // Sites must lie in the mesh; regions must be tissues of the mesh.
  void check_injection_sites()
  {
    const auto &tria = simulator->triangulation();
    for (Injection &injection : injections)
    {
      if (!injection.region.empty())
      {
        const Tissue *tissue = simulator->tissue_table().find_name(injection.region);
        if (tissue == nullptr || simulator->labels_in_mesh().count(tissue->label) == 0)
          throw_input_error("Transport/Advection diffusion/Injections",
                            "the injection region '" + injection.region +
                                "' is not a tissue of the mesh");
        injection.region_label = tissue->label;
        continue;
      }
      // A site on a vertex or face belongs to any adjacent cell (tolerance).
      bool inside = false;
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned() && !inside)
        {
          try
          {
            const Point<3> unit = StaticMappingQ1<3>::mapping.transform_real_to_unit_cell(
                cell, injection.site);
            inside = GeometryInfo<3>::is_inside_unit_cell(unit, 1e-8);
          }
          catch (const Mapping<3>::ExcTransformationFailed &)
          {
          }
        }
      if (!Utilities::MPI::logical_or(inside, simulator->mpi_communicator()))
      {
        std::ostringstream site;
        site << injection.site;
        throw_input_error("Transport/Advection diffusion/Injections",
                          "the injection site (" + site.str() +
                              ") lies outside the mesh");
      }
    }
  }

  void parse_boundaries()
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
  void setup_constraints(double t)
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
  void apply_fixed_concentrations(double t, double mass_factor,
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

  // Net inflow [kg/s] through the fixed-concentration boundaries: the sum of the
  // residuals of their rows, sum_(i fixed) [(M m)_i + (K c)_i - f_i] with the new level c
  // in `mobile` and m = (a0 c + a1 c^n + a2 c^(n-1)) / dt, ghosted.
  double fixed_inflow_rate(const FieldVector &m) const
  {
    if (!has_fixed_boundaries)
      return 0;
    return Utilities::MPI::sum(lifting.row_sum(fixed_dofs, m, mobile),
                               simulator->mpi_communicator()) -
           source_fixed_rows;
  }

  // system = factor (M + M_supg) + K; history_matrix = M + M_supg; source vectors.
  // The system and history matrices for the step factor a0/dt and the magnet state; the
  // SUPG parameter at every quadrature point is kept for the source assembly, and the
  // cell matrices at fixed-concentration boundaries for their lifting.
  void assemble_matrices(double factor, bool magnet_on)
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
  }

  // source_rhs = (S(t) + k_ex C_p(t), phi + tau u.grad phi) with the SUPG parameter and
  // velocity of the last matrix assembly; source_power = integral of S;
  // source_fixed_rows = the sum of its fixed-concentration rows.
  void assemble_sources(double t)
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

  Tensor<1, 3> velocity_at_point(const Point<3> &x, bool magnet_on) const
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
  Tensor<1, 3> face_velocity(const FEFaceValues<3> &face_values, unsigned int q,
                             bool magnet_on) const
  {
    Tensor<1, 3> u = velocity_at_point(face_values.quadrature_point(q), magnet_on);
    if (interstitial.active())
    {
      std::vector<Tensor<1, 3>> grad_p(face_values.n_quadrature_points);
      face_values.get_function_gradients(interstitial.pressure(), grad_p);
      u -= interstitial.conductivity(face_values.get_cell()->material_id()) * grad_p[q];
    }
    return u;
  }

  double plasma_concentration(double t) const
  {
    if (!(iv_dose > 0) || t < iv_time)
      return 0;
    return iv_dose / iv_volume * std::exp(-std::log(2.0) * (t - iv_time) / iv_half_life);
  }

  bool time_dependent_sources() const { return source->depends_on_time() || iv_dose > 0; }

  // Advective outflow rate [kg/s] through the outflow boundaries for the current
  // solution.
  double outflow_rate(bool magnet_on) const
  {
    if (boundary_types.empty())
      return 0;
    const ScalarSpace &space = simulator->scalar_space();
    FEFaceValues<3> face_values(*space.mapping, space.fe, space.face_quadrature,
                                update_values | update_gradients | update_normal_vectors |
                                    update_quadrature_points | update_JxW_values);
    std::vector<double> values(space.face_quadrature.size());
    double rate = 0;
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary())
          {
            const auto type = boundary_types.find(cell->face(f)->boundary_id());
            if (type == boundary_types.end() ||
                type->second != TransportBoundary::outflow)
              continue;
            face_values.reinit(cell, f);
            face_values.get_function_values(mobile, values);
            for (unsigned int q = 0; q < values.size(); ++q)
            {
              const double un =
                  face_velocity(face_values, q, magnet_on) * face_values.normal_vector(q);
              if (un > 0)
                rate += values[q] * un * face_values.JxW(q);
            }
          }
    return Utilities::MPI::sum(rate, simulator->mpi_communicator());
  }

  void step(double t_new, double dt, bool magnet_on)
  {
    const bool bdf2 = second_order && history_levels >= 2;
    double a0 = 1, a1 = -1, a2 = 0;
    if (bdf2)
    {
      const double omega = dt / last_step;
      a0 = (1 + 2 * omega) / (1 + omega);
      a1 = -(1 + omega);
      a2 = omega * omega / (1 + omega);
    }
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
    work.equ(-a1 / dt, old_solution);
    if (a2 != 0)
      work.add(-a2 / dt, older_solution);
    history_matrix.vmult(rhs, work);
    rhs += source_rhs;
    solution = old_solution;
    if (bdf2)
    {
      solution *= 1 + dt / last_step;
      solution.add(-dt / last_step, older_solution);
    }
    FieldVector history;
    if (has_fixed_boundaries)
    {
      history = simulator->scalar_space().make_field_vector();
      copy_owned_values(work, history); // -(a1 c^n + a2 c^(n-1))/dt
      history *= -1.0;
      history.update_ghost_values();
    }
    apply_fixed_concentrations(t_new, factor, &history);
    n_iterations +=
        solver.solve(system_matrix, system_matrix, solution, rhs, "Transport");
    constraints.distribute(solution);
    update_mobile();

    // Bound iron per node (mass): a0 b + a1 b^n + a2 b^(n-1) = dt (w_up c - k_b b).
    double bound_total = 0, bound_clearance_rate = 0;
    for (unsigned int i = 0; i < bound_mass.locally_owned_size(); ++i)
    {
      const double c = mobile.local_element(i);
      const double history = -(a1 * old_bound_mass.local_element(i) +
                               a2 * older_bound_mass.local_element(i));
      const double b = (history + dt * uptake_weight.local_element(i) * c) /
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
    auto integrate = [&](double old_value, double older_value, double rate)
    { return (-(a1 * old_value + a2 * older_value) + dt * rate) / a0; };
    next.sourced = integrate(totals.sourced, old_totals.sourced, source_power);
    next.cleared = integrate(totals.cleared, old_totals.cleared, cleared_rate);
    next.outflow = integrate(totals.outflow, old_totals.outflow, outflow_rate(magnet_on));
    if (has_fixed_boundaries)
    {
      // (a0 c + a1 c^n + a2 c^(n-1))/dt = c a0/dt + history.
      FieldVector bdf = mobile;
      bdf *= factor;
      bdf += history;
      bdf.update_ghost_values();
      next.boundary_in =
          integrate(totals.boundary_in, old_totals.boundary_in, fixed_inflow_rate(bdf));
    }
    older_totals = old_totals;
    old_totals = totals;
    totals = next;

    older_solution = old_solution;
    old_solution = solution;
    older_bound_mass = old_bound_mass;
    old_bound_mass = bound_mass;
    last_step = dt;
    history_levels = std::min(history_levels + 1, 2u);
    update_fields();
    ++n_steps;
  }

  void solve_steady(double t)
  {
    magnet_applied = !magnets.empty() && magnets.application().active(0, t);
    assemble_matrices(0, magnet_applied);
    assemble_sources(t);
    rhs = source_rhs;
    apply_fixed_concentrations(t, 0.0, nullptr);
    n_iterations +=
        solver.solve(system_matrix, system_matrix, solution, rhs, "Transport");
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

  bool injected(const Injection &injection) const
  {
    for (const Injection *done : done_injections)
      if (done == &injection)
        return true;
    return false;
  }

  // Adds a Gaussian depot of the injected volume V and concentration C (peak C, integral
  // C V), scaled so the discrete mass is exactly C V.
  void inject(const Injection &injection)
  {
    if (injected(injection))
      return;
    done_injections.push_back(&injection);
    const ScalarSpace &space = simulator->scalar_space();
    LA::MPI::Vector depot(space.locally_owned, space.dof_handler.get_communicator());
    const double c = injection.concentration;
    if (injection.region.empty())
    {
      const double width = std::cbrt(injection.volume / std::pow(2 * M_PI, 1.5));
      const Point<3> site = injection.site;
      ScalarFunctionFromFunctionObject<3> gaussian(
          [&](const Point<3> &x)
          { return c * std::exp(-x.distance_square(site) / (2 * width * width)); });
      VectorTools::interpolate(*space.mapping, space.dof_handler, gaussian, depot);
    }
    else
    {
      // Uniform over the nodes whose support lies in the region (w_i = V_i with w_i the
      // integral of phi_i over the region), so no iron starts outside it; a region
      // smaller than a cell falls back to c_i = w_i / V_i. Scaled below to the mass.
      const auto weights = simulator->nodal_weights({injection.region_label});
      bool interior_nodes = false;
      for (const auto &[index, weight] : weights)
        if (weight >= (1 - 1e-10) * node_volume.local_element(index))
        {
          depot[space.locally_owned.nth_index_in_set(index)] = 1;
          interior_nodes = true;
        }
      if (!Utilities::MPI::logical_or(interior_nodes, simulator->mpi_communicator()))
        for (const auto &[index, weight] : weights)
          depot[space.locally_owned.nth_index_in_set(index)] =
              weight / node_volume.local_element(index);
      depot.compress(VectorOperation::insert);
    }
    // Hanging nodes take their constrained values before the mass is measured (else
    // the next solve would change the injected mass).
    space.hanging_node_constraints.distribute(depot);
    FieldVector depot_field = space.make_field_vector();
    copy_owned_values(depot, depot_field);
    double mass = 0;
    for (unsigned int i = 0; i < depot_field.locally_owned_size(); ++i)
      mass += depot_field.local_element(i) * node_volume.local_element(i);
    mass = Utilities::MPI::sum(mass, simulator->mpi_communicator());
    if (!(mass > 0))
      throw std::runtime_error(
          "Transport: the injection at t = " + std::to_string(injection.time) +
          " s is narrower than the mesh; refine it or inject a larger volume");
    depot *= c * injection.volume / mass;
    solution.add(1.0, depot);
    old_solution = solution;
    older_solution = solution;
    history_levels = 1;
    totals.injected += c * injection.volume;
    totals.mobile = c * injection.volume + totals.mobile;
    old_totals = totals;
    older_totals = totals;
    old_bound_mass = bound_mass;
    older_bound_mass = bound_mass;
    update_mobile();
    update_fields();
  }

  void update_mobile()
  {
    copy_owned_values(solution, mobile);
    mobile.update_ghost_values();
  }

  void update_fields()
  {
    update_mobile();
    for (unsigned int i = 0; i < bound_concentration.locally_owned_size(); ++i)
    {
      const double volume = node_volume.local_element(i);
      bound_concentration.local_element(i) =
          volume > 0 ? bound_mass.local_element(i) / volume : 0.0;
      total.local_element(i) =
          mobile.local_element(i) + bound_concentration.local_element(i);
    }
    bound_concentration.update_ghost_values();
    total.update_ghost_values();
    ++iron_version;
  }

  double mobile_mass() const
  {
    double mass = 0;
    for (unsigned int i = 0; i < mobile.locally_owned_size(); ++i)
      mass += mobile.local_element(i) * node_volume.local_element(i);
    return Utilities::MPI::sum(mass, simulator->mpi_communicator());
  }

  // Mean and peak iron load per tissue [mg Fe/g = c / rho * 1000]; warns for the liver
  // above 4 mg Fe/g (toxicity guard of systemic SPIONs).
  void add_tissue_loads(StatisticsRow &row) const
  {
    const MPI_Comm comm = simulator->mpi_communicator();
    for (const unsigned int label : simulator->labels_in_mesh())
    {
      const Tissue &tissue = *simulator->tissue_of_label()[label];
      const auto weights = simulator->nodal_weights({label});
      double mass = 0, volume = 0, peak = 0;
      for (const auto &entry : weights)
      {
        mass += entry.second * total.local_element(entry.first);
        volume += entry.second;
        peak = std::max(peak, total.local_element(entry.first));
      }
      mass = Utilities::MPI::sum(mass, comm);
      volume = Utilities::MPI::sum(volume, comm);
      peak = Utilities::MPI::max(peak, comm);
      const double mean_load = volume > 0 ? mass / volume / tissue.density * 1000 : 0.0;
      const double peak_load = peak / tissue.density * 1000;
      row.emplace_back("iron_mean_" + tissue.name + "_mg_per_g", mean_load);
      row.emplace_back("iron_peak_" + tissue.name + "_mg_per_g", peak_load);
      if (tissue.name == liver_name && peak_load > 4)
        simulator->screen() << "Warning: iron in " << tissue.name << " reaches "
                            << peak_load << " mg Fe/g, above 4 mg Fe/g" << std::endl;
    }
  }

  Simulator *simulator = nullptr;
  bool steady = false, second_order = true;
  double time_step = 60;
  double default_diffusivity = 1e-12, default_uptake = 0, clearance = 0,
         bound_clearance = 0;
  std::map<unsigned int, double> diffusivity_by_label, uptake_by_label,
      extravasation_by_label;
  std::unique_ptr<ParsedFunction> initial, source;
  std::array<std::unique_ptr<ParsedFunction>, 3> fluid_velocity;
  std::vector<Injection> injections;
  std::vector<const Injection *> done_injections;
  std::string boundary_text, liver_name;
  std::map<types::boundary_id, TransportBoundary> boundary_types;
  std::map<types::boundary_id, std::unique_ptr<ParsedFunction>> fixed_values;
  std::map<std::string, double> function_constants;
  bool has_fixed_boundaries = false, fixed_in_time = false;
  std::map<types::global_dof_index, double> fixed_dofs; // c_b at the boundary dofs
  std::vector<types::global_dof_index> fixed_owned;     // constrained, owned
  DirichletLifting lifting;
  double source_fixed_rows = 0;
  double iv_dose = 0, iv_time = 0, iv_volume = 3e-3, iv_half_life = 3600;
  MagnetophoreticParticles particles;
  MagnetArrangement magnets;
  ScalarLinearSolver solver;

  AffineConstraints<double> constraints, zero_constraints;
  LA::MPI::SparseMatrix system_matrix, history_matrix;
  LA::MPI::Vector solution, old_solution, older_solution, rhs, work, source_rhs;
  std::vector<double> supg_tau; // per cell quadrature point, of the last assembly
  // Bound iron as nodal masses [kg] (concentration = mass / integral of phi_i).
  FieldVector bound_mass, old_bound_mass, older_bound_mass;
  FieldVector mobile, bound_concentration, total, node_volume, uptake_weight;
  std::vector<Tensor<1, 3>> magnet_velocity,
      fluid_velocity_values; // per owned cell and q
  std::vector<std::pair<unsigned int, double>> target_weights;
  double assembled_factor = -1;
  bool assembled_magnet = false, magnet_applied = false;
  double source_power = 0;
  double last_step = 0;
  unsigned int history_levels = 1;
  Totals totals, old_totals, older_totals;
  double mass_before_mesh_change = 0;
  bool mesh_changing = false;
  unsigned int iron_version = 0, n_steps = 0, n_iterations = 0;

  NodalField total_field{this, &total};
  NodalField mobile_field{this, &mobile};
  NodalField bound_field{this, &bound_concentration};
  static constexpr double gradient_step = 1e-6; // central differences of |B| [m]
  SpeedField speed_field{this};
  MagnetField magnet_flux_density{this, false}, magnet_gradient{this, true};
  Vector<float> cell_speed; // output only
  InterstitialFlow interstitial;
  NodalField pressure_field{this, &interstitial.pressure()};
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    IronModel, AdvectionDiffusionIron, "advection diffusion",
    "MNP transport by magnetophoresis, fluid flow and diffusion, with "
    "uptake, clearance, injections and intravenous delivery")
} // namespace ferrotherm
