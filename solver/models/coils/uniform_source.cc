// UniformSource: an ideal uniform field H0 along the axis, with A_s = mu0 H0 axis x (p -
// centre) / 2 (Coulomb gauge) - the far field of an infinitely large Helmholtz pair,
// for verification (conducting sphere in a uniform field). The peak current is unused.
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"

#include <limits>

namespace ferrotherm
{
namespace
{
class UniformSource : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Uniform");
    prm.declare_entry("Field amplitude", "10e3", dealii::Patterns::Anything(),
                      "Peak H0 [A/m] along the axis, |H0| <= 1e7.");
    prm.leave_subsection();
  }

  MagneticSourceField field(const dealii::Point<3> &p) const override
  {
    MagneticSourceField f;
    f.b = vacuum_permeability * amplitude * axis;
    f.a = 0.5 * vacuum_permeability * amplitude *
          dealii::cross_product_3d(axis, p - centre);
    return f;
  }

  double distance_to_conductor(const dealii::Point<3> &) const override
  {
    return std::numeric_limits<double>::infinity();
  }

  std::vector<dealii::Point<3>> conductor_points(double) const override { return {}; }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Uniform");
    amplitude = parse_double(prm.get("Field amplitude"),
                             "Electromagnetics/Coil/Uniform/Field amplitude");
    prm.leave_subsection();
    check_magnitude(amplitude, 1e7, "Electromagnetics/Coil/Uniform/Field amplitude",
                    "A/m");
  }

private:
  double amplitude = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Coil, UniformSource, "uniform",
                           "an ideal uniform field (verification; no conductor)")
} // namespace ferrotherm
