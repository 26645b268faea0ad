// ElectromagneticModel: the plugin family of the field layer (Electromagnetics/Model).
// A model publishes "H_amplitude" (peak |H| of the alternating field, A/m) and, when it
// resolves induced currents, "eddy_heating" (time-averaged Joule power 1/2 sigma |E|^2,
// W/m^3). Fields scale with the coil current of the treatment schedule; EM is linear,
// so a change of current never needs a new field solve. A session at another frequency
// does (change_frequency).
#pragma once

#include "core/plugin_registry.h"
#include "physics/physics_module.h"

#include <deal.II/base/tensor.h>
#include <deal.II/lac/vector.h>

#include <array>
#include <functional>

namespace dealii
{
template <int dim, int spacedim> class FEValues;
}

namespace ferrotherm
{
class ElectromagneticModel : public PhysicsModule
{
public:
  // Declares the family's common entries and every registered model in the current
  // section ("Electromagnetics").
  static void declare_parameters(dealii::ParameterHandler &prm);

  // The largest peak |H| in the tissue at the nominal coil current [A/m] (after setup).
  virtual double nominal_field_maximum() const = 0;

  // The AMF frequency [Hz] the fields are solved at (Electromagnetics/Frequency, or the
  // present session's).
  double frequency() const { return amf_frequency; }
  // A session at another frequency: the tissue conductivities are already evaluated at
  // f; the model solves its fields again (solve_at_frequency) and bumps their version.
  void change_frequency(double f);

  // The coil-current scale (the fields are the nominal ones times the scale).
  void register_state(ModuleState &state) override;
  void state_restored() override { ++field_version; }
  void set_frequency(double f) { amf_frequency = f; }

protected:
  // Recomputes the fields at frequency() (models whose fields depend on the frequency
  // or the conductivities: the induced E).
  virtual void solve_at_frequency() {}
  // The fields scale with the coil current of the AMF sessions (Simulator::field_scale);
  // called from advance(): updates `scale` and bumps `field_version` when it changes.
  void follow_coil_current(const Simulator &simulator, double t_old, double t_new);
  // H_max, H f and E_max at the present coil current from their nominal values.
  void add_peak_field_statistics(StatisticsRow &row, double nominal_h_max,
                                 double nominal_e_max) const;
  double scale = 0;               // present coil current / nominal current
  unsigned int field_version = 0; // changes whenever the fields do

  // Peak fields at one point, at the present coil current.
  struct PointFields
  {
    double h = 0;                        // |H| [A/m]
    dealii::Tensor<1, 3> e_real, e_imag; // E = e_real + j e_imag [V/m]
    double eddy = 0;                     // 1/2 sigma |E|^2 [W/m^3]
  };
  // Adds |H|, Re E, Im E (components), |E| and Q_eddy at the cell centres of the tissue
  // mesh as cell data; `at_centre(fe_values)` gives the fields at the single quadrature
  // point of fe_values (reinitialised on the cell).
  void add_cell_fields(
      dealii::DataOut<3, 3> &data_out, const Simulator &simulator,
      const std::function<PointFields(const dealii::FEValues<3, 3> &)> &at_centre);

private:
  double amf_frequency = 0;
  std::array<dealii::Vector<float>, 9> cell_fields;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(ElectromagneticModel)
} // namespace ferrotherm
