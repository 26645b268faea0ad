// AdvectionDiffusionIron: a cargo carried by the particles (anti-PD-L1 on the
// particle shell), magnetically targeted with them and released on demand by heat.
// The cargo on mobile particles q [nmol/m^3] obeys the iron's equation plus release,
//   dq/dt + div(q u) = div(D grad q) - (k_up + k_cl) q - k_rel(T) q + lambda S,
// and the cargo on bound particles (nodal amounts b_i [nmol])
//   db_i/dt = w_up,i q_i - (k_b + k_rel,i) b_i,
// with the load lambda [nmol per kg Fe] of every iron source (injections, the initial
// iron, S) and a thermoresponsive release rate
//   k_rel(T) = k_0 + k_max / (1 + exp(-(T - T_m) / w)),
// slow at body temperature and fast above the shell's transition T_m during an AMF
// session (magnetically triggered release from thermosensitive shells: Hoare et al.,
// Nano Lett. 9 (2009) 3651; Thomas et al., J. Am. Chem. Soc. 132 (2010) 10623). The
// release enters the matrix as the lumped term int k_rel(T) phi_i, assembled through
// the hanging-node constraints, so the balance
//   loaded = carried on mobile + carried on bound + released + cleared + outflow
// closes to the solver tolerance with the BDF formula of the step (as the iron's). The
// released cargo is published as a rate density for the immune layer. T is the latest
// temperature the heat layer published (sessions are cut into coupling steps).
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/state_archive.h"
#include "physics/transport/advection_diffusion_iron.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>

#include <cmath>

namespace ferrotherm
{
using namespace dealii;

namespace
{
constexpr double mg_per_kg = 1e6;
constexpr double seconds_per_hour = 3600;
} // namespace

double AdvectionDiffusionIron::Cargo::release_rate(double temperature) const
{
  return base_rate + triggered_rate / (1 + std::exp(-(temperature - release_temperature) /
                                                    release_width));
}

void AdvectionDiffusionIron::declare_cargo_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Cargo");
  prm.declare_entry("Cargo", "none", Patterns::Selection("none|anti-PD-L1"),
                    "A drug carried on the particles: none, or anti-PD-L1 (released into "
                    "the immune model's antibody field).");
  prm.declare_entry("Load", "0", Patterns::Double(0),
                    "Cargo per iron [nmol per mg Fe] of every iron source, in [0, 1e4].");
  prm.declare_entry("Release rate at 37 C", "0.001", Patterns::Double(0),
                    "k_0 [1/h], in [0, 100]: the leak of the shell at body temperature.");
  prm.declare_entry("Triggered release rate", "2", Patterns::Double(0),
                    "k_max [1/h], in [0, 1e3]: the release above the transition.");
  prm.declare_entry("Release temperature", "43", Patterns::Double(),
                    "T_m [deg C], in [37, 60]: the shell's transition temperature.");
  // 0.5 K: the 10-90% rise spans 2.2 K, and the logistic tail leaks only
  // k_max/(1 + e^10) at 38 C (with 1 K it released 65% of the cargo in 3 d at 38 C).
  prm.declare_entry("Release width", "0.5", Patterns::Double(0),
                    "w [K], in [0.1, 10]: the width of the transition (10-90% over "
                    "4.4 w).");
  prm.leave_subsection();
}

void AdvectionDiffusionIron::parse_cargo_parameters(ParameterHandler &prm)
{
  const std::string section = "Transport/Advection diffusion/Cargo/";
  prm.enter_subsection("Cargo");
  cargo.enabled = prm.get("Cargo") != "none";
  const double load = prm.get_double("Load");
  const double base = prm.get_double("Release rate at 37 C");
  const double triggered = prm.get_double("Triggered release rate");
  cargo.release_temperature = prm.get_double("Release temperature");
  cargo.release_width = prm.get_double("Release width");
  prm.leave_subsection();
  check_range(load, 0, 1e4, section + "Load", "nmol/mg Fe");
  check_range(base, 0, 100, section + "Release rate at 37 C", "1/h");
  check_range(triggered, 0, 1e3, section + "Triggered release rate", "1/h");
  check_range(cargo.release_temperature, 37, 60, section + "Release temperature",
              "deg C");
  check_range(cargo.release_width, 0.1, 10, section + "Release width", "K");
  if (cargo.enabled && !(load > 0))
    throw_input_error(section + "Load", "a cargo needs a positive load");
  cargo.load = load * mg_per_kg;
  cargo.base_rate = base / seconds_per_hour;
  cargo.triggered_rate = triggered / seconds_per_hour;
}

void AdvectionDiffusionIron::initialize_cargo()
{
  if (!cargo.enabled)
    return;
  if (steady)
    throw_input_error("Transport/Advection diffusion/Cargo/Cargo",
                      "the cargo needs a transient transport (Time stepping)");
  if (has_fixed_boundaries)
    throw_input_error("Transport/Advection diffusion/Cargo/Cargo",
                      "a cargo needs no-flux or outflow boundaries (fixed-concentration "
                      "boundaries would bring iron of unknown load)");
  simulator->fields().add("cargo", "nmol/m^3", "cargo carried by the particles",
                          "Transport", &cargo_field);
  simulator->fields().add("cargo_release_rate", "nmol/(m^3 s)",
                          "cargo released from the particles", "Transport",
                          &cargo_release_field);
}

void AdvectionDiffusionIron::setup_cargo()
{
  if (!cargo.enabled)
    return;
  const ScalarSpace &space = simulator->scalar_space();
  cargo_matrix.reinit(system_matrix);
  cargo_solution.reinit(space.locally_owned, space.dof_handler.get_communicator());
  for (FieldVector *v :
       {&cargo_bound, &cargo_old_bound, &cargo_older_bound, &cargo_mobile, &cargo_carried,
        &cargo_release_weight, &cargo_release_density})
    *v = space.make_field_vector();
  cargo_solution.equ(cargo.load, solution);
  cargo_history.reinit(space.locally_owned, space.dof_handler.get_communicator(), 2);
  cargo_history.start(cargo_solution);
  cargo_totals = CargoTotals();
  cargo_totals.loaded = cargo.load * totals.injected;
  cargo_totals.mobile = cargo_totals.loaded;
  cargo_old_totals = cargo_older_totals = cargo_totals;
  cargo_release_current = false;
  // The release weights need the temperature, set up after this module: the first
  // step assembles them.
  update_cargo_fields();
}

void AdvectionDiffusionIron::register_cargo_state(ModuleState &state)
{
  if (!cargo.enabled)
    return;
  const auto &dofs = simulator->scalar_space().dof_handler;
  cargo_history.register_state(state, "cargo on mobile particles", dofs);
  state.add_vector("cargo on bound particles", dofs, cargo_old_bound);
  state.add_vector("cargo on bound particles (previous level)", dofs, cargo_older_bound);
  state.add_record([this](StateArchive &archive)
                   { archive &cargo_totals &cargo_old_totals &cargo_older_totals; });
}

void AdvectionDiffusionIron::load_cargo(const LA::MPI::Vector &iron_added,
                                        double iron_mass)
{
  if (!cargo.enabled)
    return;
  cargo_solution = cargo_history.level(0);
  cargo_solution.add(cargo.load, iron_added);
  cargo_history.start(cargo_solution);
  cargo_totals.loaded += cargo.load * iron_mass;
  cargo_totals.mobile += cargo.load * iron_mass;
  cargo_old_totals = cargo_older_totals = cargo_totals;
  cargo_older_bound = cargo_old_bound;
  update_cargo_fields();
}

// The release weights w_i = int k_rel(T) phi_i and the cargo matrix: the iron's
// matrix plus the lumped release term, assembled through the constraints.
void AdvectionDiffusionIron::assemble_cargo_release()
{
  const ScalarSpace &space = simulator->scalar_space();
  const Field *temperature = simulator->fields().find("temperature");
  // Unchanged temperature and iron matrix (between sessions, T idle): nothing to do.
  const unsigned int temperature_version = temperature ? temperature->version() : 0;
  if (cargo_release_current && temperature_version == cargo_temperature_version &&
      matrix_assemblies == cargo_matrix_assemblies)
    return;
  cargo_release_current = true;
  cargo_temperature_version = temperature_version;
  cargo_matrix_assemblies = matrix_assemblies;
  FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                        update_values | update_gradients | update_quadrature_points |
                            update_JxW_values);
  const unsigned int n = space.fe.n_dofs_per_cell(), n_q = space.cell_quadrature.size();
  std::vector<types::global_dof_index> indices(n);
  std::vector<double> temperatures(n_q, 37.0);
  FullMatrix<double> release(n, n);
  cargo_matrix.copy_from(system_matrix);
  cargo_release_weight = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    if (temperature != nullptr)
      temperature->evaluate(fe_values, temperatures);
    cell->get_dof_indices(indices);
    release = 0;
    for (unsigned int q = 0; q < n_q; ++q)
    {
      const double weight = cargo.release_rate(temperatures[q]) * fe_values.JxW(q);
      for (unsigned int i = 0; i < n; ++i)
        release(i, i) += weight * fe_values.shape_value(i, q);
    }
    for (unsigned int i = 0; i < n; ++i)
      cargo_release_weight(indices[i]) += release(i, i);
    constraints.distribute_local_to_global(release, indices, cargo_matrix);
  }
  cargo_matrix.compress(VectorOperation::add);
  cargo_release_weight.compress(VectorOperation::add);
  cargo_release_weight.update_ghost_values();
}

void AdvectionDiffusionIron::step_cargo(double dt, const BdfHistory::Coefficients &bdf,
                                        bool magnet_on)
{
  const double a0 = bdf.a0, a1 = bdf.a1, a2 = bdf.a2;
  assemble_cargo_release();
  work.equ(-a1 / dt, cargo_history.level(0));
  if (a2 != 0)
    work.add(-a2 / dt, cargo_history.level(1));
  history_matrix.vmult(rhs, work);
  rhs.add(cargo.load, source_rhs);
  cargo_history.extrapolate(dt, bdf.order == 2 ? 1 : 0, cargo_solution);
  n_iterations +=
      solver.solve(cargo_matrix, system_matrix, cargo_solution, rhs, "Transport (cargo)");
  constraints.distribute(cargo_solution);
  copy_owned_values(cargo_solution, cargo_mobile);
  cargo_mobile.update_ghost_values();

  // Bound cargo per node: a0 b + a1 b^n + a2 b^(n-1) = dt (w_up q - (k_b + k_rel) b).
  double mobile_total = 0, bound_total = 0, released_rate = 0;
  for (unsigned int i = 0; i < cargo_bound.locally_owned_size(); ++i)
  {
    const double volume = node_volume.local_element(i);
    const double rate = volume > 0 ? cargo_release_weight.local_element(i) / volume : 0;
    const double q = cargo_mobile.local_element(i);
    const double b = (-(a1 * cargo_old_bound.local_element(i) +
                        a2 * cargo_older_bound.local_element(i)) +
                      dt * uptake_weight.local_element(i) * q) /
                     (a0 + dt * (bound_clearance + rate));
    cargo_bound.local_element(i) = b;
    mobile_total += q * volume;
    bound_total += b;
    released_rate += cargo_release_weight.local_element(i) * q + rate * b;
  }
  const MPI_Comm comm = simulator->mpi_communicator();
  mobile_total = Utilities::MPI::sum(mobile_total, comm);
  bound_total = Utilities::MPI::sum(bound_total, comm);
  released_rate = Utilities::MPI::sum(released_rate, comm);

  const auto integrate = [&](double old_value, double older_value, double rate)
  { return bdf.integrate(dt, old_value, older_value, rate); };
  CargoTotals next = cargo_totals;
  next.mobile = mobile_total;
  next.bound = bound_total;
  next.loaded =
      integrate(cargo_totals.loaded, cargo_old_totals.loaded, cargo.load * source_power);
  next.released =
      integrate(cargo_totals.released, cargo_old_totals.released, released_rate);
  next.cleared = integrate(cargo_totals.cleared, cargo_old_totals.cleared,
                           clearance * mobile_total + bound_clearance * bound_total);
  next.outflow = integrate(cargo_totals.outflow, cargo_old_totals.outflow,
                           outflow_rate(cargo_mobile, magnet_on));
  cargo_older_totals = cargo_old_totals;
  cargo_old_totals = cargo_totals;
  cargo_totals = next;

  cargo_history.accept(cargo_solution, dt);
  cargo_older_bound = cargo_old_bound;
  cargo_old_bound = cargo_bound;
  update_cargo_fields();
}

void AdvectionDiffusionIron::update_cargo_fields()
{
  copy_owned_values(cargo_history.level(0), cargo_mobile);
  for (unsigned int i = 0; i < cargo_carried.locally_owned_size(); ++i)
  {
    const double volume = node_volume.local_element(i);
    const double bound = volume > 0 ? cargo_old_bound.local_element(i) / volume : 0;
    const double rate = volume > 0 ? cargo_release_weight.local_element(i) / volume : 0;
    cargo_carried.local_element(i) = cargo_mobile.local_element(i) + bound;
    cargo_release_density.local_element(i) = rate * cargo_carried.local_element(i);
  }
  for (FieldVector *v : {&cargo_mobile, &cargo_carried, &cargo_release_density})
    v->update_ghost_values();
}

// Across a mesh change the bound cargo moves as concentrations (as the bound iron).
void AdvectionDiffusionIron::cargo_to_concentrations()
{
  if (!cargo.enabled)
    return;
  cargo_before_mesh_change = cargo_totals.mobile + cargo_totals.bound;
  for (FieldVector *amounts : {&cargo_old_bound, &cargo_older_bound})
  {
    for (unsigned int i = 0; i < amounts->locally_owned_size(); ++i)
    {
      const double volume = node_volume.local_element(i);
      amounts->local_element(i) = volume > 0 ? amounts->local_element(i) / volume : 0.0;
    }
    amounts->update_ghost_values();
  }
}

void AdvectionDiffusionIron::cargo_from_concentrations()
{
  if (!cargo.enabled)
    return;
  cargo_history.distribute(simulator->scalar_space().hanging_node_constraints);
  double bound = 0;
  for (FieldVector *amounts : {&cargo_old_bound, &cargo_older_bound})
  {
    for (unsigned int i = 0; i < amounts->locally_owned_size(); ++i)
      amounts->local_element(i) *= node_volume.local_element(i);
    amounts->update_ghost_values();
  }
  for (unsigned int i = 0; i < cargo_old_bound.locally_owned_size(); ++i)
    bound += cargo_old_bound.local_element(i);
  copy_owned_values(cargo_history.level(0), cargo_mobile);
  double mobile = 0;
  for (unsigned int i = 0; i < cargo_mobile.locally_owned_size(); ++i)
    mobile += cargo_mobile.local_element(i) * node_volume.local_element(i);
  const MPI_Comm comm = simulator->mpi_communicator();
  cargo_totals.mobile = Utilities::MPI::sum(mobile, comm);
  cargo_totals.bound = Utilities::MPI::sum(bound, comm);
  const double change =
      cargo_totals.mobile + cargo_totals.bound - cargo_before_mesh_change;
  cargo_totals.mesh_change += change;
  if (std::abs(change) > 1e-13 * cargo_before_mesh_change)
    cargo_history.first_order_next();
  assemble_cargo_release();
  update_cargo_fields();
}

void AdvectionDiffusionIron::add_cargo_statistics(StatisticsRow &row) const
{
  if (!cargo.enabled)
    return;
  const CargoTotals &c = cargo_totals;
  row.emplace_back("cargo_loaded_nmol", c.loaded);
  row.emplace_back("cargo_on_mobile_nmol", c.mobile);
  row.emplace_back("cargo_on_bound_nmol", c.bound);
  row.emplace_back("cargo_released_nmol", c.released);
  row.emplace_back("cargo_cleared_nmol", c.cleared);
  row.emplace_back("cargo_outflow_nmol", c.outflow);
  if (simulator->adaptive_mesh())
    row.emplace_back("cargo_mesh_change_nmol", c.mesh_change);
  const double closure =
      c.loaded + c.mesh_change - c.mobile - c.bound - c.released - c.cleared - c.outflow;
  row.emplace_back("cargo_balance_error",
                   c.loaded > 0 ? std::abs(closure) / c.loaded : 0);
}
} // namespace ferrotherm
