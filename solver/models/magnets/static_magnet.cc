// The StaticMagnet plugin family (see static_magnet.h).
#include "models/magnets/static_magnet.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"

#include <cmath>

namespace ferrotherm
{
using namespace dealii;

FERROTHERM_DEFINE_PLUGIN_FAMILY(StaticMagnet)

void StaticMagnet::declare_parameters(ParameterHandler &prm)
{
  prm.declare_entry("Position", "0, 0, -0.06", Patterns::Anything(),
                    "Centre of the magnet [m].");
  prm.declare_entry("Direction", "0, 0, 1", Patterns::Anything(),
                    "Direction of the magnetisation (normalised).");
  prm.declare_entry("Remanence", "1.2", Patterns::Anything(),
                    "Remanent flux density B_r = mu0 M [T], in [0, 2] (NdFeB N42: "
                    "~1.3 T).");
  PluginRegistry<StaticMagnet>::instance().declare_parameters(prm, "cylinder",
                                                              "Shape of the magnet.");
}

void StaticMagnet::parse_parameters(ParameterHandler &prm, const RunContext &,
                                    const std::string &section)
{
  const auto x = parse_double_list(prm.get("Position"), section + "Position", 3);
  const auto n = parse_double_list(prm.get("Direction"), section + "Direction", 3);
  remanence = parse_double(prm.get("Remanence"), section + "Remanence");
  check_range(remanence, 0, 2, section + "Remanence", "T");
  position = Point<3>(x[0], x[1], x[2]);
  direction = Tensor<1, 3>({n[0], n[1], n[2]});
  if (!(direction.norm() > 0))
    throw_input_error(section + "Direction", "must not be the zero vector");
  direction /= direction.norm();
  Tensor<1, 3> helper;
  helper[std::abs(direction[0]) < 0.6 ? 0 : (std::abs(direction[1]) < 0.6 ? 1 : 2)] = 1;
  e1 = helper - (helper * direction) * direction;
  e1 /= e1.norm();
  e2 = cross_product_3d(direction, e1);
  parse_geometry(prm, section);
}

Point<3> StaticMagnet::to_local(const Point<3> &p) const
{
  const Tensor<1, 3> d = p - position;
  return Point<3>(d * e1, d * e2, d * direction);
}

Tensor<1, 3> StaticMagnet::to_global(const Tensor<1, 3> &local) const
{
  return local[0] * e1 + local[1] * e2 + local[2] * direction;
}

void magnetic_gradient(const std::vector<const StaticMagnet *> &magnets,
                       const Point<3> &p, double step, double &magnitude,
                       Tensor<1, 3> &gradient)
{
  auto field = [&](const Point<3> &x)
  {
    Tensor<1, 3> b;
    for (const StaticMagnet *magnet : magnets)
      b += magnet->flux_density(x);
    return b.norm();
  };
  magnitude = field(p);
  for (unsigned int d = 0; d < 3; ++d)
  {
    Point<3> plus = p, minus = p;
    plus[d] += step;
    minus[d] -= step;
    gradient[d] = (field(plus) - field(minus)) / (2 * step);
  }
}
} // namespace ferrotherm
