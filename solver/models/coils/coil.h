// Coil: the plugin family of AMF coils (Electromagnetics/Coil/Model). A coil is built
// from circular loops and straight segments placed in its own frame (origin `Centre`,
// z along `Axis`) and carries the peak current `Peak current`; field() sums their
// closed-form Biot-Savart fields (biot_savart.h): the source field H_s = B/mu0 and its
// vector potential A_s at the nominal current.
#pragma once

#include "core/plugin_registry.h"
#include "core/run_context.h"
#include "models/coils/biot_savart.h"

#include <deal.II/base/parameter_handler.h>

#include <vector>

namespace ferrotherm
{
class Coil
{
public:
  virtual ~Coil() = default;
  // Declares "Model", "Peak current", "Centre", "Axis" and every coil's parameters in the
  // current section ("Electromagnetics/Coil").
  static void declare_parameters(dealii::ParameterHandler &prm);

  // Reads the common entries, then the plugin's (parse_geometry).
  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context);

  // B and A at the nominal peak current.
  virtual MagneticSourceField field(const dealii::Point<3> &p) const;

  // Shortest distance from p to a conductor (infinite for an ideal source).
  virtual double distance_to_conductor(const dealii::Point<3> &p) const;

  // Points along the conductors, at most `spacing` apart (empty for an ideal source).
  virtual std::vector<dealii::Point<3>> conductor_points(double spacing) const;

  double peak_current() const { return current; }

protected:
  virtual void parse_geometry(dealii::ParameterHandler &prm,
                              const RunContext &context) = 0;

  // Geometry in the coil frame, added by parse_geometry(); the factor multiplies the
  // peak current (turns, direction).
  void add_loop(double z, double radius, double current_factor);
  void add_segment(const dealii::Point<3> &start, const dealii::Point<3> &end,
                   double current_factor, bool in_coil_frame = true);

  dealii::Point<3> centre;
  dealii::Tensor<1, 3> axis;

private:
  struct Loop
  {
    dealii::Point<3> centre;
    double radius;
    double current_factor;
  };
  struct Segment
  {
    dealii::Point<3> start, end;
    double current_factor;
  };
  double current = 0;
  dealii::Tensor<1, 3> e1, e2; // completes `axis` to a right-handed frame
  std::vector<Loop> loops;
  std::vector<Segment> segments;
  dealii::Point<3> to_global(const dealii::Point<3> &local) const;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(Coil)
} // namespace ferrotherm
