// MagnetArrangement (see magnet_arrangement.h).
#include "models/magnets/magnet_arrangement.h"

#include "core/time_value.h"

#include <limits>

namespace ferrotherm
{
using namespace dealii;

void MagnetArrangement::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Magnet");
  prm.declare_entry("Number of magnets", "0", Patterns::Integer(0, max_magnets),
                    "How many of the subsections 'Magnet 1' ... 'Magnet 4' are used.");
  prm.declare_entry("Applied", "always", Patterns::Anything(),
                    "When the magnets are in place: 'always', 'never' or intervals "
                    "'start-end' or 'start+duration' separated by ';'. " +
                        time_syntax);
  for (unsigned int k = 1; k <= max_magnets; ++k)
  {
    prm.enter_subsection("Magnet " + std::to_string(k));
    StaticMagnet::declare_parameters(prm);
    prm.leave_subsection();
  }
  prm.leave_subsection();
}

void MagnetArrangement::parse_parameters(ParameterHandler &prm, const RunContext &context,
                                         double end_time)
{
  prm.enter_subsection("Magnet");
  const unsigned int n = prm.get_integer("Number of magnets");
  applied.parse(prm.get("Applied"), "Magnet/Applied", end_time);
  magnets.clear();
  views.clear();
  for (unsigned int k = 1; k <= n; ++k)
  {
    const std::string name = "Magnet " + std::to_string(k);
    prm.enter_subsection(name);
    magnets.push_back(PluginRegistry<StaticMagnet>::instance().create(prm.get("Model")));
    magnets.back()->parse_parameters(prm, context, "Magnet/" + name + "/");
    views.push_back(magnets.back().get());
    prm.leave_subsection();
  }
  prm.leave_subsection();
}

double MagnetArrangement::distance_to_magnets(const Point<3> &p) const
{
  double distance = std::numeric_limits<double>::infinity();
  for (const auto &magnet : magnets)
    distance = std::min(distance, magnet->distance_to_magnet(p));
  return distance;
}
} // namespace ferrotherm
