// Coils made of straight segments (closed-form segment fields):
//  - "planar spiral": an Archimedean ("pancake") spiral of N turns between an inner and
//    an outer radius in the coil plane, closed by a return lead that runs a distance
//    `Lead offset` above the plane;
//  - "polyline": the points of a CSV file (header x,y,z, metres, global coordinates),
//    closed by a segment from the last point back to the first unless `Closed` is false.
//    A closed polyline whose points all lie on one straight line (e.g. two points) runs
//    its current back along itself: its field is zero, so it is refused.
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"

#include <cmath>
#include <fstream>

namespace ferrotherm
{
namespace
{
class PlanarSpiralCoil : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Planar spiral");
    prm.declare_entry("Inner radius", "0.02", dealii::Patterns::Anything(), "[m]");
    prm.declare_entry("Outer radius", "0.08", dealii::Patterns::Anything(), "[m]");
    prm.declare_entry("Turns", "8", dealii::Patterns::Integer(1, 10000),
                      "Number of turns, 1-10000.");
    prm.declare_entry("Segments per turn", "72", dealii::Patterns::Integer(8, 10000),
                      "Straight segments approximating one turn, 8-10000.");
    prm.declare_entry("Lead offset", "0.005", dealii::Patterns::Anything(),
                      "Height of the return lead above the spiral plane [m].");
    prm.leave_subsection();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string where = "Electromagnetics/Coil/Planar spiral/";
    prm.enter_subsection("Planar spiral");
    const double inner = parse_double(prm.get("Inner radius"), where + "Inner radius");
    const double outer = parse_double(prm.get("Outer radius"), where + "Outer radius");
    const unsigned int turns = prm.get_integer("Turns");
    const unsigned int per_turn = prm.get_integer("Segments per turn");
    const double lead = parse_double(prm.get("Lead offset"), where + "Lead offset");
    prm.leave_subsection();
    if (!(inner >= 0 && outer > inner))
      throw_input_error(where + "Outer radius", "must exceed the inner radius (>= 0)");
    if (!(lead > 0))
      throw_input_error(where + "Lead offset", "must be positive");
    check_range(outer, 0, 10, where + "Outer radius", "m", LowerBound::exclusive);
    check_range(lead, 0, 10, where + "Lead offset", "m", LowerBound::exclusive);
    const unsigned int n = turns * per_turn;
    auto point = [&](unsigned int k)
    {
      const double fraction = static_cast<double>(k) / n;
      const double radius = inner + (outer - inner) * fraction;
      const double phi = 2 * M_PI * turns * fraction;
      return dealii::Point<3>(radius * std::cos(phi), radius * std::sin(phi), 0);
    };
    for (unsigned int k = 0; k < n; ++k)
      add_segment(point(k), point(k + 1), 1);
    const dealii::Point<3> end = point(n), start = point(0);
    const dealii::Point<3> up_end(end[0], end[1], lead),
        up_start(start[0], start[1], lead);
    add_segment(end, up_end, 1);
    add_segment(up_end, up_start, 1);
    add_segment(up_start, start, 1);
  }
};

// True when every point lies within 1e-9 of the extent from the line through the first
// point and the point farthest from it.
bool all_on_one_line(const std::vector<dealii::Point<3>> &points)
{
  dealii::Tensor<1, 3> direction;
  for (const auto &p : points)
    if ((p - points.front()).norm() > direction.norm())
      direction = p - points.front();
  const double extent = direction.norm();
  direction /= extent;
  for (const auto &p : points)
  {
    const dealii::Tensor<1, 3> offset = p - points.front();
    if ((offset - (offset * direction) * direction).norm() > 1e-9 * extent)
      return false;
  }
  return true;
}

class PolylineCoil : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Polyline");
    prm.declare_entry(
        "File", "", dealii::Patterns::Anything(),
        "CSV of the conductor's points: header x,y,z, then one point per line "
        "[m, global coordinates; Centre and Axis are not used].");
    prm.declare_entry("Closed", "true", dealii::Patterns::Bool(),
                      "Connect the last point back to the first.");
    prm.leave_subsection();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Polyline");
    const std::string file = resolve_input_path(prm.get("File"), context.input_directory);
    const bool closed = prm.get_bool("Closed");
    prm.leave_subsection();
    std::ifstream in(file);
    if (trim(file).empty() || !in)
      throw_input_error("Electromagnetics/Coil/Polyline/File",
                        "cannot open '" + file + "'");
    std::vector<dealii::Point<3>> points;
    unsigned int last_point_line = 0;
    std::string line;
    unsigned int number = 0;
    bool header = false;
    while (std::getline(in, line))
    {
      if (++number == 1)
        strip_byte_order_mark(line);
      const std::string content = trim(line);
      if (content.empty() || content[0] == '#')
        continue;
      const std::string where = file + ":" + std::to_string(number);
      if (!header)
      {
        if (content != "x,y,z")
          throw_input_error(where, "expected the header 'x,y,z'");
        header = true;
        continue;
      }
      const auto xyz = parse_double_list(content, where, 3);
      points.emplace_back(xyz[0], xyz[1], xyz[2]);
      last_point_line = number;
      if (points.size() > 1 && points.back().distance(points[points.size() - 2]) == 0)
        throw_input_error(where, "repeats the previous point");
    }
    if (points.size() < 2)
      throw_input_error(file, "a polyline coil needs at least 2 points, found " +
                                  std::to_string(points.size()));
    if (closed && all_on_one_line(points))
      throw_input_error(file + ":" + std::to_string(last_point_line),
                        "the " + std::to_string(points.size()) +
                            " points of this closed polyline coil lie on one straight "
                            "line, so the current returns along the same wire and the "
                            "field is zero; add a point off the line or set "
                            "Electromagnetics/Coil/Polyline/Closed = false");
    for (unsigned int k = 0; k + 1 < points.size(); ++k)
      add_segment(points[k], points[k + 1], 1, false);
    if (closed && points.front().distance(points.back()) > 0)
      add_segment(points.back(), points.front(), 1, false);
  }
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Coil, PlanarSpiralCoil, "planar spiral",
                           "a flat Archimedean (pancake) spiral with a return lead")
FERROTHERM_REGISTER_PLUGIN(Coil, PolylineCoil, "polyline",
                           "a conductor through the points of a CSV file")
} // namespace ferrotherm
