// Temperature-dependent perfusion of Lang, Erdmann & Seebass (1999), IEEE Trans Biomed
// Eng 46:1129, as mass perfusion W_m [kg/(m^3 s)]; the Pennes coefficient is W_m c_b:
//   muscle: W_m = 0.45 + 3.55 exp(-(T-45)^2/12) for T <= 45 C, 4.0 above;
//   fat:    W_m = 0.36 + 0.36 exp(-(T-45)^2/12) for T <= 45 C, 0.72 above;
//   tumour: W_m = 0.833 below 37 C, 0.833 - (T-37)^4.8/5438 for 37-42 C, 0.416 above.
// Above 42 C the tumour law keeps its own value at 42 C, 0.41650 (the paper's 0.416 is
// that value rounded): the published 0.416 is a jump of 5e-4 at which the implicit heat
// step has no root at a node sitting at 42 C, so its Newton iteration oscillates there.
// The database perfusion rate of the tissue is not used by these laws.
#include "models/perfusion/perfusion_model.h"

#include <algorithm>
#include <cmath>

namespace ferrotherm
{
namespace
{
class LangMuscle : public PerfusionModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}
  double coefficient(double t, double, double cb) const override
  {
    return cb * (t <= 45 ? 0.45 + 3.55 * std::exp(-(t - 45) * (t - 45) / 12) : 4.0);
  }
  double derivative(double t, double, double cb) const override
  {
    return t <= 45 ? cb * 3.55 * std::exp(-(t - 45) * (t - 45) / 12) * (-(t - 45) / 6)
                   : 0.0;
  }
  bool depends_on_temperature() const override { return true; }
};

class LangFat : public PerfusionModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}
  double coefficient(double t, double, double cb) const override
  {
    return cb * (t <= 45 ? 0.36 + 0.36 * std::exp(-(t - 45) * (t - 45) / 12) : 0.72);
  }
  double derivative(double t, double, double cb) const override
  {
    return t <= 45 ? cb * 0.36 * std::exp(-(t - 45) * (t - 45) / 12) * (-(t - 45) / 6)
                   : 0.0;
  }
  bool depends_on_temperature() const override { return true; }
};

class LangTumour : public PerfusionModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}
  double coefficient(double t, double, double cb) const override
  {
    if (t < 37)
      return cb * 0.833;
    return cb * (0.833 - std::pow(std::min(t, 42.0) - 37, 4.8) / 5438);
  }
  double derivative(double t, double, double cb) const override
  {
    return (t >= 37 && t <= 42) ? -cb * 4.8 * std::pow(t - 37, 3.8) / 5438 : 0.0;
  }
  bool depends_on_temperature() const override { return true; }
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(PerfusionModel, LangMuscle, "lang muscle",
                           "Lang et al. 1999 muscle: flow rises up to ~9x towards 45 C")
FERROTHERM_REGISTER_PLUGIN(PerfusionModel, LangFat, "lang fat",
                           "Lang et al. 1999 fat: flow doubles towards 45 C")
FERROTHERM_REGISTER_PLUGIN(
    PerfusionModel, LangTumour, "lang tumour",
    "Lang et al. 1999 tumour: flow falls above 37 C, halved above 42 C")
} // namespace ferrotherm
