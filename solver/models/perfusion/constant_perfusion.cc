// ConstantPerfusion: W = w_b rho_b c_b from the tissue database, independent of T.
#include "models/perfusion/perfusion_model.h"

namespace ferrotherm
{
namespace
{
class ConstantPerfusion : public PerfusionModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}
  double coefficient(double, double baseline, double) const override { return baseline; }
  double derivative(double, double, double) const override { return 0; }
  bool depends_on_temperature() const override { return false; }
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(PerfusionModel, ConstantPerfusion, "constant",
                           "the database perfusion rate, independent of temperature")
} // namespace ferrotherm
