// MagnetArrangement: the static magnets of magnetic targeting (top-level section
// "Magnet"): up to four magnets ("Magnet 1" ... "Magnet 4", each any StaticMagnet shape)
// whose fields superpose, and the time intervals during which they are in place.
#pragma once

#include "core/run_context.h"
#include "core/time_intervals.h"
#include "models/magnets/static_magnet.h"

#include <memory>
#include <vector>

namespace ferrotherm
{
class MagnetArrangement
{
public:
  static constexpr unsigned int max_magnets = 4;
  static void declare_parameters(dealii::ParameterHandler &prm);
  // prm at the top level; `end_time` for "always".
  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context,
                        double end_time);

  bool empty() const { return magnets.empty(); }
  const std::vector<const StaticMagnet *> &list() const { return views; }
  const TimeIntervals &application() const { return applied; }

  // Distance from p to the nearest magnet body.
  double distance_to_magnets(const dealii::Point<3> &p) const;

private:
  std::vector<std::unique_ptr<StaticMagnet>> magnets;
  std::vector<const StaticMagnet *> views;
  TimeIntervals applied;
};
} // namespace ferrotherm
