// The Coil plugin family and its loop/segment superposition (see coil.h).
#include "models/coils/coil.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace ferrotherm
{
using namespace dealii;

FERROTHERM_DEFINE_PLUGIN_FAMILY(Coil)

void Coil::declare_parameters(ParameterHandler &prm)
{
  prm.declare_entry("Peak current", "100", Patterns::Anything(),
                    "Peak coil current I [A] (the field amplitudes are peak values), "
                    "|I| <= 1e6.");
  prm.declare_entry("Centre", "0, 0, 0", Patterns::Anything(),
                    "Origin of the coil frame [m].");
  prm.declare_entry("Axis", "0, 0, 1", Patterns::Anything(),
                    "Direction of the coil axis (the frame's z); normalised.");
  PluginRegistry<Coil>::instance().declare_parameters(prm, "loop pair",
                                                      "Geometry of the AMF coil.");
}

void Coil::parse_parameters(ParameterHandler &prm, const RunContext &context)
{
  const std::string section = "Electromagnetics/Coil/";
  current = parse_double(prm.get("Peak current"), section + "Peak current");
  check_magnitude(current, 1e6, section + "Peak current", "A");
  const auto c = parse_double_list(prm.get("Centre"), section + "Centre", 3);
  const auto n = parse_double_list(prm.get("Axis"), section + "Axis", 3);
  centre = Point<3>(c[0], c[1], c[2]);
  axis = Tensor<1, 3>({n[0], n[1], n[2]});
  if (!(axis.norm() > 0))
    throw_input_error(section + "Axis", "must not be the zero vector");
  axis /= axis.norm();
  // e1: the coordinate direction least aligned with the axis, orthogonalised.
  Tensor<1, 3> helper;
  helper[std::abs(axis[0]) < 0.6 ? 0 : (std::abs(axis[1]) < 0.6 ? 1 : 2)] = 1;
  e1 = helper - (helper * axis) * axis;
  e1 /= e1.norm();
  e2 = cross_product_3d(axis, e1);
  loops.clear();
  segments.clear();
  parse_geometry(prm, context);
}

Point<3> Coil::to_global(const Point<3> &local) const
{
  return centre + local[0] * e1 + local[1] * e2 + local[2] * axis;
}

void Coil::add_loop(double z, double radius, double current_factor)
{
  loops.push_back({to_global(Point<3>(0, 0, z)), radius, current_factor});
}

void Coil::add_segment(const Point<3> &start, const Point<3> &end, double current_factor,
                       bool in_coil_frame)
{
  if (in_coil_frame)
    segments.push_back({to_global(start), to_global(end), current_factor});
  else
    segments.push_back({start, end, current_factor});
}

MagneticSourceField Coil::field(const Point<3> &p) const
{
  MagneticSourceField total;
  for (const Loop &loop : loops)
  {
    const auto f = circular_loop_field(loop.centre, axis, loop.radius,
                                       current * loop.current_factor, p);
    total.b += f.b;
    total.a += f.a;
  }
  for (const Segment &segment : segments)
  {
    const auto f =
        segment_field(segment.start, segment.end, current * segment.current_factor, p);
    total.b += f.b;
    total.a += f.a;
  }
  return total;
}

double Coil::distance_to_conductor(const Point<3> &p) const
{
  double distance = std::numeric_limits<double>::infinity();
  for (const Loop &loop : loops)
    distance = std::min(distance, distance_to_loop(loop.centre, axis, loop.radius, p));
  for (const Segment &segment : segments)
    distance = std::min(distance, distance_to_segment(segment.start, segment.end, p));
  return distance;
}

std::vector<Point<3>> Coil::conductor_points(double spacing) const
{
  // Count first: a coil of many turns sampled at a tiny spacing would exhaust memory.
  double count = 0;
  for (const Loop &loop : loops)
    count += std::max(16.0, std::ceil(2 * M_PI * loop.radius / spacing));
  for (const Segment &segment : segments)
    count += std::max(1.0, std::ceil((segment.end - segment.start).norm() / spacing)) + 1;
  constexpr double max_points = 2e6;
  if (!(count <= max_points))
  {
    std::ostringstream message;
    message << "checking the coil's clearance from the tissue samples its conductors "
               "every "
            << spacing << " m, which needs " << count << " points (at most " << max_points
            << "): reduce the number of turns or segments, or raise the minimum coil "
               "distance";
    throw_input_error("Electromagnetics/Coil", message.str());
  }
  std::vector<Point<3>> points;
  points.reserve(static_cast<std::size_t>(count));
  for (const Loop &loop : loops)
  {
    const unsigned int n = std::max(
        16u, static_cast<unsigned int>(std::ceil(2 * M_PI * loop.radius / spacing)));
    for (unsigned int k = 0; k < n; ++k)
    {
      const double phi = 2 * M_PI * k / n;
      points.push_back(loop.centre +
                       loop.radius * (std::cos(phi) * e1 + std::sin(phi) * e2));
    }
  }
  for (const Segment &segment : segments)
  {
    const unsigned int n =
        std::max(1u, static_cast<unsigned int>(
                         std::ceil((segment.end - segment.start).norm() / spacing)));
    for (unsigned int k = 0; k <= n; ++k)
      points.push_back(segment.start +
                       (static_cast<double>(k) / n) * (segment.end - segment.start));
  }
  return points;
}
} // namespace ferrotherm
