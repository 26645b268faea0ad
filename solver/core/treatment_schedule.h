// TreatmentSchedule: the treatment clock's events. The run covers [0, End time]; the
// alternating field is on during the AMF sessions ("0-1800; 3600-5400", or with units
// and a coil-current scale per session, "0 + 30 min; 2 d + 30 min: 0.8") and off
// between them. Time steps are cut at session starts and ends, so a step never
// straddles a switch.
#pragma once

#include "core/time_intervals.h"

#include <deal.II/base/parameter_handler.h>

#include <utility>
#include <vector>

namespace ferrotherm
{
class TreatmentSchedule
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  void parse_parameters(dealii::ParameterHandler &prm);

  double end_time() const { return end; }

  // Coil current relative to its nominal value (the session's scale, 1 by default, in
  // a session; 0 outside) on the step (t_old, t_new], which never straddles a switch.
  double field_scale(double t_old, double t_new) const;

  // The first session start or end strictly after t (end time if none).
  double next_event_after(double t) const;
  // As next_event_after, and inside a session the next of its equal parts of at most
  // 'Coupling step during sessions' (for layers that react to the session's T course).
  double next_coupling_time(double t) const;

  const std::vector<std::pair<double, double>> &sessions() const
  {
    return amf_sessions.list();
  }

private:
  double end = 0;
  double coupling_step = 60;
  TimeIntervals amf_sessions;
};
} // namespace ferrotherm
