// SpecificLossPower: the plugin family of MNP heating models (Heating/Model). A model
// gives the specific loss power SLP(H, f, T) in W per kg of iron at peak field
// amplitude H [A/m], frequency f [Hz] and temperature T [deg C]; the heat source is
// Q_mnp = c_Fe * SLP [W/m^3].
#pragma once

#include "core/plugin_registry.h"
#include "core/run_context.h"

#include <deal.II/base/parameter_handler.h>

namespace ferrotherm
{
class SpecificLossPower
{
public:
  virtual ~SpecificLossPower() = default;
  static void declare_parameters(dealii::ParameterHandler &prm);

  // prm is positioned in the "Heating" section.
  virtual void parse_parameters(dealii::ParameterHandler &prm,
                                const RunContext &context) = 0;

  // Called once the AMF frequency is known; may reject it.
  virtual void check_frequency(double /*frequency*/) const {}

  virtual double value(double field_amplitude, double frequency,
                       double temperature) const = 0;
  virtual bool depends_on_temperature() const { return false; }
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(SpecificLossPower)
} // namespace ferrotherm
