// PennesHeat: the bioheat layer (Pennes 1948, J Appl Physiol 1:93),
//   rho c dT/dt = div(k grad T) + W(T) (T_a - T) + Q_met + Q_mnp + Q_eddy + Q_extra,
// with W(T) = w_b rho_b c_b from a perfusion model per tissue, Q_met = q_met rho,
// Q_mnp = c_Fe SLP(|H|, f, T) from the "iron" and "H_amplitude" fields, Q_eddy from
// the "eddy_heating" field, and boundary conditions per boundary id.
// Discretisation: continuous FE_Q (degree 1-3) on the shared scalar space; steady,
// backward Euler or variable-step BDF2 in time (fixed or error-controlled steps).
// Temperature-dependent perfusion/SLP are solved by Newton's method to a residual
// tolerance in every step (never lagged). The mass, stiffness and constant source
// terms are assembled once; a time step costs one matrix-vector product and a warm-
// started CG solve with a preconditioner that is rebuilt only when the matrix changes.
// The heat balance is closed with the consistent (residual) heat flow through
// fixed-temperature boundaries. Thermal dose: see thermal_dose.h.
#pragma once

#include "core/bdf_history.h"
#include "core/dirichlet_lifting.h"
#include "core/field_registry.h"
#include "core/label_map.h"
#include "core/linear_algebra.h"
#include "core/scalar_linear_solver.h"
#include "core/weighted_percentile.h"
#include "physics/heat/heat_boundary_conditions.h"
#include "physics/heat/thermal_dose.h"
#include "physics/physics_module.h"

#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/vector.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
class ParsedFunction;
class PerfusionModel;
class SpecificLossPower;

class PennesHeat : public PhysicsModule
{
public:
  PennesHeat();
  ~PennesHeat() override;

  // Declares "Heat" and "Heating" (the MNP heating model family).
  static void declare_parameters(dealii::ParameterHandler &prm);
  // prm at the top level (reads "Heat" and "Heating").
  void parse_parameters(dealii::ParameterHandler &prm,
                        const RunContext &context) override;
  void initialize(Simulator &simulator) override;
  void setup() override;
  void advance(double t_old, double t_new) override;
  void add_statistics(StatisticsRow &row) const override;
  void add_output(dealii::DataOut<3, 3> &data_out) override;

  std::vector<std::string> needed_fields() const override;
  void register_state(ModuleState &state) override;
  void prepare_for_mesh_change() override;
  void state_restored() override;
  std::string progress_summary() const override;

private:
  enum class Scheme
  {
    steady,
    backward_euler,
    bdf2
  };

  // Coefficients of one tissue label.
  struct TissueCoefficients
  {
    bool present = false;
    double conductivity = 0;
    double heat_capacity = 0;  // rho c
    double metabolic_heat = 0; // W/m^3
    double perfusion_baseline = 0;
    const PerfusionModel *perfusion = nullptr;
    bool perfusion_is_linear = true;
  };

  class TemperatureField : public Field
  {
  public:
    explicit TemperatureField(const PennesHeat &heat) : heat(heat) {}
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &values) const override;
    unsigned int version() const override { return heat.temperature_version; }
    const FieldVector *nodal_values() const override { return &heat.temperature; }

  private:
    const PennesHeat &heat;
  };

  // The volumetric blood perfusion w_b(T) = W(T)/(rho_b c_b) [1/s] of each tissue's
  // perfusion model at the current temperature (for T-cell and drug delivery).
  class PerfusionField : public Field
  {
  public:
    explicit PerfusionField(const PennesHeat &heat) : heat(heat) {}
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &values) const override;
    unsigned int version() const override { return heat.temperature_version; }

  private:
    const PennesHeat &heat;
  };

  // --- parameters ---
  unsigned int degree = 1;
  Scheme scheme = Scheme::bdf2;
  double initial_time_step = 10;
  bool adaptive = false;
  double step_tolerance = 0.05;
  double idle_tolerance = 1e-4; // [K] of drift over a skipped macro step
  double min_time_step = 1e-3;
  double max_time_step = 60;
  double arterial_temperature = 37;
  double blood_density = 1050;
  double blood_specific_heat = 3617;
  std::string boundary_text;
  bool basal_initial_state = true;
  std::unique_ptr<ParsedFunction> initial_temperature;
  std::unique_ptr<ParsedFunction> extra_source;
  std::pair<double, double> plausible_temperatures{0, 100}; // deg C
  double balance_warning_threshold = 1e-6;
  double nonlinear_tolerance = 1e-9;
  unsigned int max_nonlinear_iterations = 25;
  std::unique_ptr<SpecificLossPower> slp_model;
  std::map<std::string, std::unique_ptr<PerfusionModel>> perfusion_models;
  ScalarLinearSolver linear_solver;
  ThermalDose dose;
  RunContext run_context;

  // --- set-up data ---
  Simulator *simulator = nullptr;
  LabelMap<TissueCoefficients> coefficients;
  bool has_nonlinear_perfusion = false;
  std::map<dealii::types::boundary_id, HeatBoundaryCondition> boundary_conditions;
  dealii::AffineConstraints<double> zero_constraints;      // hanging + T = 0 on Dirichlet
  dealii::AffineConstraints<double> dirichlet_constraints; // hanging + T = T_b
  std::map<dealii::types::global_dof_index, double> dirichlet_values; // locally relevant
  std::vector<dealii::types::global_dof_index> dirichlet_owned;
  // Weight of each row in the flow through fixed-temperature boundaries (locally
  // relevant dofs with a non-zero weight; see build_dirichlet_constraints).
  std::map<dealii::types::global_dof_index, double> dirichlet_row_weights;
  double dirichlet_row_weight(dealii::types::global_dof_index index) const;

  LA::MPI::SparseMatrix mass_matrix;      // rho c M, constrained
  LA::MPI::SparseMatrix stiffness_matrix; // K + W_lin M + h M_boundary, constrained
  LA::MPI::SparseMatrix system_matrix;    // a0/dt mass + stiffness
  LA::MPI::SparseMatrix newton_matrix;    // system + nonlinear perfusion Jacobian
  double system_matrix_factor = -1;       // a0/dt of system_matrix
  std::vector<double> dirichlet_rhs_values;

  LA::MPI::Vector constant_rhs;  // Q_met + W_lin T_a + boundary data, lifted
  LA::MPI::Vector field_rhs;     // Q_mnp + Q_eddy
  LA::MPI::Vector extra_rhs;     // Q_extra(t)
  LA::MPI::Vector nonlinear_rhs; // W(T)(T - T_a) on temperature-dependent cells
  LA::MPI::Vector rhs, residual, increment, work, predictor, history_copy, lumped_slopes;
  // solution: the step's candidate (then the current state); history: T^n, T^(n-1),
  // T^(n-2) (the last for the second-order error estimate) and their steps.
  LA::MPI::Vector solution;
  BdfHistory history;

  // Heat-balance vectors (unconstrained): integrals of rho c phi_i, W_lin phi_i, h phi_i
  // and column sums over fixed-temperature rows of mass and stiffness.
  LA::MPI::Vector heat_capacity_weights, perfusion_weights, convection_weights;
  LA::MPI::Vector dirichlet_mass_columns, dirichlet_stiffness_columns;

  FieldVector temperature;     // ghosted, the published field
  FieldVector temperature_old; // ghosted, for the dose
  unsigned int temperature_version = 0;
  dealii::Vector<float> mnp_heating_cells; // for the ParaView output
  std::unique_ptr<TemperatureField> temperature_field;
  PerfusionField perfusion_field{*this};

  // Source-term bookkeeping (W) and the field versions they were assembled for.
  struct Integrals
  {
    double metabolic = 0, perfusion_arterial = 0, convection_ambient = 0, flux_in = 0;
    double dirichlet_rows = 0; // sum over fixed-temperature rows of the source vector
  };
  Integrals constant_integrals;

  // Boundary data that change in time (pennes_heat_boundary.cc): constant_rhs and
  // constant_integrals are then static_* plus the terms at the step's new time level.
  bool dirichlet_in_time = false;     // a fixed temperature uses t
  bool boundary_flux_in_time = false; // a heat flux or a T_inf uses t
  LA::MPI::Vector static_rhs;
  Integrals static_integrals;
  DirichletLifting dirichlet_lifting;
  // dirichlet_values, dirichlet_owned and dirichlet_constraints (hanging + T = T_b(t)).
  void build_dirichlet_constraints(double t);
  // Before a step to t_new: the Dirichlet data at t_new with their lifting (BDF
  // coefficients a0, a1, a2; dt = 0 for a steady solve), heat flux and h T_inf at t_new.
  void update_boundary_data(double t_new, double dt, double a0, double a1, double a2);
  // Adds the heat flux and h T_inf terms of the time-dependent conditions at t.
  void assemble_time_dependent_boundary_sources(double t);
  double field_power_mnp = 0, field_power_eddy = 0, field_dirichlet_rows = 0;
  double extra_power = 0, extra_dirichlet_rows = 0;
  double nonlinear_perfusion_power = 0, nonlinear_dirichlet_rows = 0;
  std::vector<unsigned int> field_versions;
  bool field_sources_assembled = false;
  bool extra_source_assembled = false;

  // --- clock ---
  double time = 0;
  double time_step = 0;                             // next step to try
  double last_field_scale = -1, last_frequency = 0; // of the last heated step
  // Steps solved since the field last switched: T is relaxed only when the last step's
  // rate is that of the present sources.
  unsigned int steps_since_switch = 0;

  // --- diagnostics ---
  // n_newton_retries: rejected steps (counted in n_rejected) whose Newton iteration
  // stalled
  unsigned int n_steps = 0, n_rejected = 0, n_newton_retries = 0, n_linear_iterations = 0,
               n_newton_iterations = 0;
  double idle_time = 0; // [s] skipped while relaxed
  // The net flow of the held T over skipped intervals, booked to the outflows as the
  // steady state's [J].
  double energy_idle = 0;
  struct Powers
  {
    double storage = 0, metabolic = 0, mnp = 0, eddy = 0, extra = 0, flux_in = 0;
    double perfusion_out = 0, convection_out = 0, dirichlet_in = 0;
  };
  Powers last_powers;
  Powers energies;
  double energy_closure = 0; // integral of the balance residual
  double energy_scale = 0;   // integral of the largest term magnitudes
  double initial_heat_content = 0;
  // Heat content changes of adaptive mesh changes (interpolation on coarsening) [J].
  double energy_mesh_change = 0;
  double heat_content_before_mesh_change = 0;
  bool mesh_changing = false;
  double total_heat_capacity = 0; // J/K, integral of rho c
  std::vector<std::pair<unsigned int, double>> target_weights;
  WeightedSamples target_samples;
  double target_t90 = 0;
  double cem43_t90 = 0;
  // The highest T and target T90 over all steps [deg C].
  double peak_temperature = -std::numeric_limits<double>::infinity();
  double peak_target_t90 = -std::numeric_limits<double>::infinity();

  void setup_tissue_coefficients();
  // Refuses a steady problem (steady run or basal initial state) without perfusion and
  // without a boundary that fixes the temperature level: it is singular.
  void check_steady_problem_is_regular() const;
  // Error on a non-finite temperature, warning outside the plausible range.
  void check_plausibility();
  // Warning when the relative heat-balance error exceeds the threshold.
  void check_heat_balance(double t);
  double relative_balance_error() const;
  void setup_constraints();
  void setup_matrices();
  void assemble_linear_operators();
  void assemble_field_sources();
  void assemble_extra_source(double t);
  // Per-cell data of the temperature-dependent perfusion term, so that the Newton
  // residual and Jacobian need no FEValues: dof indices, JxW, tissue coefficients.
  struct NonlinearCell
  {
    const TissueCoefficients *coefficients;
    std::vector<dealii::types::global_dof_index> dof_indices;
    std::vector<unsigned int> field_indices;
    std::vector<double> dirichlet_weight; // dirichlet_row_weight of each dof
    std::vector<double> jxw;
  };
  std::vector<NonlinearCell> nonlinear_cells;
  std::vector<double> reference_shape_values; // [q * n + i]
  void setup_nonlinear_cells();
  enum class Jacobian
  {
    none,
    lumped,
    consistent
  };
  // Assembles W(T)(T - T_a) of the temperature-dependent cells into nonlinear_rhs and,
  // unless `none`, newton_matrix = system_matrix + its Jacobian (lumped: row sums on
  // the diagonal).
  void assemble_nonlinear_terms(Jacobian jacobian);
  void update_system_matrix(double factor);
  // One implicit step (or the steady solve) to t_new; the treatment sources (field
  // heating, additional source) are left out for the basal initial state. False when
  // the Newton iteration did not converge and `may_fail` (the adaptive stepper then
  // retries a shorter step); without `may_fail` that is an error.
  bool solve_time_step(double t_new, double dt, double a0, double a1, double a2,
                       bool with_treatment_sources = true, bool may_fail = false);
  void solve_linear(const LA::MPI::Vector &history_rhs);
  bool solve_newton(const LA::MPI::Vector &history_rhs, bool with_treatment_sources,
                    bool may_fail);
  void build_right_hand_side(const LA::MPI::Vector &history_rhs);
  // Heat-balance powers at the end of the step; integrated once the step is accepted.
  void compute_powers(double dt, double a0, double a1, double a2);
  void integrate_energy(double dt);
  // Gains minus losses of p (all but the storage) [W].
  static double net_power(const Powers &p);
  // Copies the solution into the ghosted temperature field (no version change).
  void update_temperature_values();
  double compute_target_t90();
  double max_abs_difference(const LA::MPI::Vector &a, const LA::MPI::Vector &b) const;
  // Nothing heats over (t_old, t_new] and T has relaxed (see 'Idle tolerance').
  bool relaxed(double field_scale, double t_old, double t_new) const;
  // Advances the clock, balances and dose over a relaxed interval without a solve.
  void skip_idle_interval(double dt);
  // Raises the peaks to the current step's T max and target T90.
  void record_peaks();
};
} // namespace ferrotherm
