// ThermalDose: thermal-dose fields integrated in time at the nodes of a discontinuous
// copy of the temperature space (so each tissue keeps its own Arrhenius parameters at
// tissue interfaces):
//   CEM43 = integral R^(43 - T) dt / 60 [min], R = 0.5 for T >= 43 C, 0.25 below
//           (Sapareto & Dewey 1984, Int J Radiat Oncol Biol Phys 10:787);
//   Omega = integral A exp(-Ea / (R_gas (T + 273.15))) dt  (Henriques & Moritz 1947),
//           damaged where Omega >= 1 (63% of cells killed).
// Both integrals use the trapezoidal rule on each time step (exact for constant T).
#pragma once

#include "core/field_registry.h"
#include "core/label_map.h"
#include "core/linear_algebra.h"
#include "core/output_files.h"
#include "core/weighted_percentile.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/dofs/dof_handler.h>

#include <memory>
#include <set>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class DataOut;
template <int dim, int spacedim> class FiniteElement;
} // namespace dealii

namespace ferrotherm
{
class ModuleState;
class ScalarSpace;
struct Tissue;

class ThermalDose
{
public:
  ThermalDose();
  ~ThermalDose();

  static void declare_parameters(dealii::ParameterHandler &prm);
  void parse_parameters(dealii::ParameterHandler &prm);

  // CEM43 rate [min per min] at temperature T [deg C].
  double cem43_rate(double temperature) const;
  // Arrhenius rate [1/s] for the given tissue.
  static double arrhenius_rate(double temperature, double A, double Ea);

  // `tissue_of_label[label]` may be null for labels absent from the mesh.
  void setup(const ScalarSpace &space, const LabelMap<const Tissue *> &tissue_of_label,
             const std::set<unsigned int> &target_labels, const FieldVector &temperature);

  // Adds the dose of one time step with nodal temperatures T_old -> T_new (ghosted).
  void accumulate(const FieldVector &temperature_old, const FieldVector &temperature_new,
                  double time_step);

  // target_CEM43_p90_min, target_CEM43_above_threshold_fraction, target_damaged_fraction,
  // damaged_volume_m3.
  void add_statistics(StatisticsRow &row, MPI_Comm comm) const;
  void add_output(dealii::DataOut<3, 3> &data_out) const;

  double cem43_breakpoint() const { return breakpoint; }

  // CEM43 and Omega on their DG space (the rates are recomputed from the temperature).
  void register_state(ModuleState &state);

  // "thermal_dose_CEM43" [min] and "thermal_damage" (Arrhenius Omega) as fields.
  const Field &cem43_field() const { return cem43_view; }
  const Field &damage_field() const { return damage_view; }
  // Incremented by accumulate().
  unsigned int version() const { return dose_version; }

private:
  double breakpoint = 43;
  double r_above = 0.5;
  double r_below = 0.25;
  double damage_threshold = 1;
  double dose_threshold = 240;

  // A dose vector seen as a Field: DG values at the caller's quadrature points.
  class DoseField : public Field
  {
  public:
    DoseField(const ThermalDose &dose, const FieldVector &values)
        : dose(dose), values(values)
    {
    }
    void evaluate(const dealii::FEValues<3, 3> &fe_values,
                  std::vector<double> &result) const override;
    unsigned int version() const override { return dose.dose_version; }

  private:
    const ThermalDose &dose;
    const FieldVector &values;
  };

  unsigned int dose_version = 0;
  std::unique_ptr<dealii::FiniteElement<3, 3>> fe;
  std::unique_ptr<dealii::DoFHandler<3>> dof_handler;
  FieldVector cem43;
  FieldVector damage;
  // Rates are evaluated once per distinct (temperature node, tissue) pair; DG nodes
  // look their pair up. The rates at the end of a step are the next step's start rates.
  struct RatePoint
  {
    unsigned int temperature_index; // local index in the temperature field vector
    double log_A, activation_energy;
  };
  std::vector<RatePoint> rate_points;
  std::vector<double> cem43_rates, damage_rates; // at the last temperature
  std::vector<double> new_cem43_rates, new_damage_rates;
  bool rates_current = false;
  std::vector<unsigned int> node_rate_point; // per DG node
  std::vector<double> node_volume;           // per DG node: integral of its basis
  std::vector<unsigned char> node_in_target;
  void evaluate_rates(const FieldVector &temperature,
                      std::vector<double> &cem43_rate_values,
                      std::vector<double> &damage_rate_values) const;
  DoseField cem43_view{*this, cem43};
  DoseField damage_view{*this, damage};
};
} // namespace ferrotherm
