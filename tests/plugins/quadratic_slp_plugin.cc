// A user plugin for the test of `Additional shared libraries`: an SLP model
// SLP = coefficient * H^2 registered as "test quadratic" from a separately built .so.
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"

namespace
{
class QuadraticSlp : public ferrotherm::SpecificLossPower
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Test quadratic");
    prm.declare_entry("Coefficient", "1e-3", dealii::Patterns::Double(0), "SLP / H^2");
    prm.leave_subsection();
  }
  void parse_parameters(dealii::ParameterHandler &prm,
                        const ferrotherm::RunContext &) override
  {
    prm.enter_subsection("Test quadratic");
    coefficient = prm.get_double("Coefficient");
    prm.leave_subsection();
  }
  double value(double h, double, double) const override { return coefficient * h * h; }

private:
  double coefficient = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ferrotherm::SpecificLossPower, QuadraticSlp, "test quadratic",
                           "SLP = coefficient * H^2 (test plugin)")
