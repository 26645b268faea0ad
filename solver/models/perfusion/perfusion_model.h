// PerfusionModel: the plugin family of blood-perfusion laws, chosen per tissue in the
// tissue database (column perfusion_model). A model gives the Pennes perfusion
// coefficient W(T) = w_b rho_b c_b [W/(m^3 K)] of the sink W(T) (T_a - T), and its
// derivative dW/dT for the Newton iteration.
#pragma once

#include "core/plugin_registry.h"
#include "core/run_context.h"

#include <deal.II/base/parameter_handler.h>

namespace ferrotherm
{
class PerfusionModel
{
public:
  virtual ~PerfusionModel() = default;
  // Declares every model's parameters (in "Heat/Perfusion models").
  static void declare_parameters(dealii::ParameterHandler &prm);

  virtual void parse_parameters(dealii::ParameterHandler & /*prm*/, const RunContext &) {}

  // `baseline` is the tissue's w_b rho_b c_b from the database; `blood_specific_heat`
  // is c_b [J/(kg K)] for laws given as mass perfusion.
  virtual double coefficient(double temperature, double baseline,
                             double blood_specific_heat) const = 0;
  virtual double derivative(double temperature, double baseline,
                            double blood_specific_heat) const = 0;
  virtual bool depends_on_temperature() const = 0;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(PerfusionModel)
} // namespace ferrotherm
