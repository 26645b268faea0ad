// InterstitialFlow: the interstitial fluid pressure and velocity from Darcy's law with a
// Starling source (Baxter & Jain 1989, Microvasc Res 37:77):
//   -div(K grad p) = L (p_e - p),   u = -K grad p,
// with the hydraulic conductivity K [m^2/(Pa s)], the vascular filtration coefficient
// L = L_p S/V [1/(Pa s)] and the effective vascular pressure p_e = p_v - sigma (pi_v -
// pi_i) [Pa] per tissue label, and p = 0 on the outer boundary (far field). For a uniform
// sphere of radius R: p = p_e (1 - R sinh(alpha r/R) / (r sinh alpha)), alpha = R
// sqrt(L/K). A physics module of its own (section "Interstitial flow"): it solves the
// steady pressure on every mesh and publishes "interstitial_pressure" and the vector
// field "interstitial_velocity", which MNP transport adds to the particle drift.
// Reported: the largest pressure, the net filtration from the vessels Q_v = int L (p_e -
// p) dV and the outflow through the boundary Q_b = int -K grad p . n dA (equal at steady
// state).
#pragma once

#include "core/field_registry.h"
#include "core/linear_algebra.h"
#include "core/scalar_linear_solver.h"
#include "physics/physics_module.h"

#include <map>

namespace ferrotherm
{
class InterstitialFlow : public PhysicsModule
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  void parse_parameters(dealii::ParameterHandler &prm,
                        const RunContext &context) override;
  void initialize(Simulator &simulator) override;
  // Solves for the pressure on the current mesh (no state: a steady field).
  void setup() override;
  void advance(double, double) override {}
  void add_statistics(StatisticsRow &row) const override;
  void add_output(dealii::DataOut<3, 3> &data_out) override;

private:
  struct Coefficients
  {
    double conductivity, filtration, effective_pressure;
  };
  class PressureField : public Field
  {
  public:
    explicit PressureField(const InterstitialFlow *flow) : flow(flow) {}
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &values) const override;
    unsigned int version() const override { return flow->version; }
    const FieldVector *nodal_values() const override { return &flow->pressure; }

  private:
    const InterstitialFlow *flow;
  };
  class VelocityField : public VectorField
  {
  public:
    explicit VelocityField(const InterstitialFlow *flow) : flow(flow) {}
    // -K grad p at the points of fe_values (a cell or face of the scalar space).
    void evaluate(const dealii::FEValuesBase<3, 3> &fe_values,
                  std::vector<dealii::Tensor<1, 3, double>> &values) const override;
    unsigned int version() const override { return flow->version; }

  private:
    const InterstitialFlow *flow;
  };

  void assemble_and_solve();
  void compute_balance();

  bool enabled = false;
  std::map<unsigned int, Coefficients> by_label;
  Simulator *simulator = nullptr;
  ScalarLinearSolver solver;
  FieldVector pressure;
  double pressure_max = 0, vessel_filtration = 0, boundary_outflow = 0;
  unsigned int version = 0, n_iterations = 0;
  PressureField pressure_field{this};
  VelocityField velocity_field{this};
};
} // namespace ferrotherm
