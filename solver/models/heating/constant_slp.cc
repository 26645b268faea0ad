// ConstantSlp: a measured specific loss power, independent of field and temperature
// (valid only at the field amplitude and frequency where it was measured); zero where
// the field is off.
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"

namespace ferrotherm
{
namespace
{
class ConstantSlp : public SpecificLossPower
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Constant");
    prm.declare_entry("Specific loss power", "300e3", dealii::Patterns::Anything(),
                      "SLP [W per kg iron] (1 W/g = 1000 W/kg), in [0, 1e7].");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string where = "Heating/Constant/Specific loss power";
    prm.enter_subsection("Constant");
    slp = parse_double(prm.get("Specific loss power"), where);
    prm.leave_subsection();
    check_range(slp, 0, 1e7, where, "W/kg");
  }

  double value(double field_amplitude, double, double) const override
  {
    return field_amplitude > 0 ? slp : 0.0;
  }

private:
  double slp = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(SpecificLossPower, ConstantSlp, "constant",
                           "a fixed SLP (W/kg Fe) wherever the field is on")
} // namespace ferrotherm
