// AdvectionDiffusionIron: transport of magnetic nanoparticles in tissue,
//   dc/dt + div(c u) = div(D grad c) - (k_up + k_cl) c + S,
//   dc_b/dt = k_up c - k_b c_b,
// with the mobile iron c and the bound (cell-internalised) iron c_b [kg Fe/m^3],
// velocity u = u_mag + u_fluid (magnetophoretic drift from the static magnets while they
// are applied, magnetophoresis.h, plus the interstitial fluid velocity: prescribed, plus
// the field "interstitial_velocity" when a module publishes it, the Darcy-Starling flow
// of physics/flow), tissue-dependent diffusivity D,
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
// The implementation is split by concept: advection_diffusion_iron.cc (parameters,
// set-up, time stepping, state), transport_injections.cc, transport_supg_operator.cc
// (assembly and boundary conditions), transport_bookkeeping.cc (mass balance,
// statistics, published fields) and transport_plasma.cc (intravenous delivery).
// Included only by those files (the model is a plugin, "advection diffusion").
#pragma once

#include "core/bdf_history.h"
#include "core/dirichlet_lifting.h"
#include "core/field_registry.h"
#include "core/linear_algebra.h"
#include "core/parsed_function.h"
#include "core/scalar_linear_solver.h"
#include "models/magnets/magnet_arrangement.h"
#include "physics/transport/ct_iron_map.h"
#include "physics/transport/iron_model.h"
#include "physics/transport/magnetophoresis.h"

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>
#include <deal.II/base/types.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/vector.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class FEValues;
template <int dim, int spacedim> class FEFaceValues;
} // namespace dealii

namespace ferrotherm
{
class ModuleState;
class Simulator;

class AdvectionDiffusionIron : public IronModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  void parse_parameters(dealii::ParameterHandler &prm,
                        const RunContext &context) override;
  void initialize(Simulator &sim) override;
  void setup() override;
  // The interstitial fluid velocity, when a module provides it.
  std::vector<std::string> needed_fields() const override
  {
    return {"interstitial_velocity"};
  }
  // The on-demand cargo release follows T during a session.
  bool follows_session_temperature() const override { return cargo.enabled; }
  void register_state(ModuleState &state) override;
  void prepare_for_mesh_change() override;
  void state_restored() override;
  void advance(double t_old, double t_new) override;
  void add_statistics(StatisticsRow &row) const override;
  void add_output(dealii::DataOut<3, 3> &data_out) override;

private:
  // A bolus at a site (Gaussian depot) or spread uniformly over a tissue region.
  struct Injection
  {
    double time;
    dealii::Point<3> site;
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

  // Published fields (transport_bookkeeping.cc).
  struct NodalField : Field
  {
    const AdvectionDiffusionIron *model;
    const FieldVector *values;
    NodalField(const AdvectionDiffusionIron *model, const FieldVector *values)
        : model(model), values(values)
    {
    }
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &result) const override;
    unsigned int version() const override { return model->iron_version; }
    const FieldVector *nodal_values() const override { return values; }
  };

  struct SpeedField : Field
  {
    const AdvectionDiffusionIron *model;
    explicit SpeedField(const AdvectionDiffusionIron *model) : model(model) {}
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &result) const override;
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
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &result) const override;
    unsigned int version() const override { return model->iron_version; }
  };

  // Mass bookkeeping [kg]; integrated with the step's BDF formula.
  struct Totals
  {
    double injected = 0, sourced = 0, mobile = 0, bound = 0, cleared = 0, outflow = 0;
    double boundary_in = 0; // net inflow through fixed-concentration boundaries
    double mesh_change = 0; // mass change of adaptive mesh changes (coarsening)
  };

  // Parameters and time stepping (advection_diffusion_iron.cc).
  static std::map<unsigned int, double> parse_label_values(const std::string &text,
                                                           const std::string &where);
  // One BDF step to t_new. With `may_reject`, a step whose error estimate exceeds twice
  // the tolerance is undone (nothing changed) and false returned.
  bool step(double t_new, double dt, bool magnet_on, bool may_reject = false);

  // Time stepping over a macro step (transport_time_steps.cc): fixed equal steps per
  // segment between events, or adaptive steps.
  void advance_fixed(double t, double t_end, bool magnet_on);
  void advance_adaptive(double t, double t_end, bool magnet_on);
  void solve_steady(double t);

  // Injections (transport_injections.cc).
  void warn_about_events_after_the_end() const;
  void parse_injections(const std::string &text, const std::string &where);
  void check_injection_sites();
  bool injected(const Injection &injection) const;
  void inject(const Injection &injection);

  // Boundary conditions and assembly (transport_supg_operator.cc).
  void parse_boundaries();
  void setup_constraints(double t);
  void apply_fixed_concentrations(double t, double mass_factor,
                                  const FieldVector *history);
  // The value of `label` in a per-label map, else `fallback`.
  static double label_value(const std::map<unsigned int, double> &values,
                            unsigned int label, double fallback);
  void assemble_matrices(double factor, bool magnet_on);
  void assemble_sources(double t);
  dealii::Tensor<1, 3> velocity_at_point(const dealii::Point<3> &x, bool magnet_on) const;
  dealii::Tensor<1, 3> face_velocity(const dealii::FEFaceValues<3, 3> &face_values,
                                     unsigned int q, bool magnet_on) const;

  // Particle-borne cargo (transport_cargo.cc): a drug carried on the particles, loaded
  // in proportion to the iron, transported with it (mobile and bound) and released at
  // k_rel(T) = k_0 + k_max / (1 + exp(-(T - T_m) / w)) (thermoresponsive shell).
  struct CargoTotals
  {
    double loaded = 0, mobile = 0, bound = 0, released = 0, cleared = 0, outflow = 0;
    double mesh_change = 0;
  };
  struct Cargo
  {
    bool enabled = false;
    double load = 0; // nmol per kg Fe
    double base_rate = 0, triggered_rate = 0, release_temperature = 43,
           release_width = 1; // 1/s, 1/s, deg C, K
    double release_rate(double temperature) const;
  };
  static void declare_cargo_parameters(dealii::ParameterHandler &prm);
  void parse_cargo_parameters(dealii::ParameterHandler &prm);
  void initialize_cargo();
  void setup_cargo();
  void register_cargo_state(ModuleState &state);
  void load_cargo(const LA::MPI::Vector &iron_added, double iron_mass);
  void step_cargo(double dt, const BdfHistory::Coefficients &bdf, bool magnet_on);
  void assemble_cargo_release();
  void update_cargo_fields();
  void cargo_to_concentrations();
  void cargo_from_concentrations();
  void add_cargo_statistics(StatisticsRow &row) const;

  // Intravenous delivery (transport_plasma.cc).
  double plasma_concentration(double t) const;
  bool time_dependent_sources() const;

  // Mass balance, statistics and fields (transport_bookkeeping.cc).
  double fixed_inflow_rate(const FieldVector &m) const;
  double outflow_rate(const FieldVector &concentration, bool magnet_on) const;
  void update_mobile();
  void update_fields();
  double mobile_mass() const;
  void add_tissue_loads(StatisticsRow &row) const;

  Simulator *simulator = nullptr;
  bool steady = false, second_order = true;
  double time_step = 60;
  // Adaptive steps: from time_step up to max_time_step, error relative to the peak
  // concentration reached; last_estimate < 0 when the step could not estimate.
  bool adaptive = false;
  double step_tolerance = 1e-4, max_time_step = 86400, adaptive_step = 60;
  double peak_concentration = 0, last_estimate = -1;
  unsigned int n_rejected = 0;
  LA::MPI::Vector predictor;
  double default_diffusivity = 1e-12, default_uptake = 0, clearance = 0,
         bound_clearance = 0;
  std::map<unsigned int, double> diffusivity_by_label, uptake_by_label,
      extravasation_by_label;
  std::unique_ptr<ParsedFunction> initial, source;
  CtIronMap initial_ct_iron; // mobile iron at t = 0 from a CT image
  std::array<std::unique_ptr<ParsedFunction>, 3> fluid_velocity;
  std::vector<Injection> injections;
  std::vector<const Injection *> done_injections;
  std::string boundary_text, liver_name;
  std::map<dealii::types::boundary_id, TransportBoundary> boundary_types;
  std::map<dealii::types::boundary_id, std::unique_ptr<ParsedFunction>> fixed_values;
  std::map<std::string, double> function_constants;
  bool has_fixed_boundaries = false, fixed_in_time = false;
  std::map<dealii::types::global_dof_index, double>
      fixed_dofs;                                           // c_b at the boundary dofs
  std::vector<dealii::types::global_dof_index> fixed_owned; // constrained, owned
  DirichletLifting lifting;
  double source_fixed_rows = 0;
  double iv_dose = 0, iv_time = 0, iv_volume = 3e-3, iv_half_life = 3600;
  MagnetophoreticParticles particles;
  MagnetArrangement magnets;
  ScalarLinearSolver solver;

  dealii::AffineConstraints<double> constraints, zero_constraints;
  LA::MPI::SparseMatrix system_matrix, history_matrix;
  LA::MPI::Vector solution, rhs, work, source_rhs;
  BdfHistory history;           // mobile iron c^n, c^(n-1) and the steps
  std::vector<double> supg_tau; // per cell quadrature point, of the last assembly
  // Bound iron as nodal masses [kg] (concentration = mass / integral of phi_i).
  FieldVector bound_mass, old_bound_mass, older_bound_mass;
  FieldVector mobile, bound_concentration, total, node_volume, uptake_weight;
  std::vector<dealii::Tensor<1, 3>> magnet_velocity,
      fluid_velocity_values; // per owned cell and q
  std::vector<std::pair<unsigned int, double>> target_weights;
  double assembled_factor = -1;
  bool assembled_magnet = false, magnet_applied = false;
  double source_power = 0;
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
  dealii::Vector<float> cell_speed;                   // output only
  const VectorField *interstitial_velocity = nullptr; // published by another module

  Cargo cargo;
  LA::MPI::SparseMatrix cargo_matrix;
  LA::MPI::Vector cargo_solution;
  BdfHistory cargo_history; // carried on mobile particles [nmol/m^3]
  // Carried on bound particles, nodal amounts [nmol]; release weights int k_rel phi_i.
  FieldVector cargo_bound, cargo_old_bound, cargo_older_bound, cargo_mobile,
      cargo_carried, cargo_release_weight, cargo_release_density;
  CargoTotals cargo_totals, cargo_old_totals, cargo_older_totals;
  double cargo_before_mesh_change = 0;
  // The release term is rebuilt when T or the iron matrix changed since.
  bool cargo_release_current = false;
  unsigned int cargo_temperature_version = 0, matrix_assemblies = 0,
               cargo_matrix_assemblies = 0;
  NodalField cargo_field{this, &cargo_carried};
  NodalField cargo_release_field{this, &cargo_release_density};
};
} // namespace ferrotherm
