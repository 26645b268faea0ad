// TreatmentSchedule: the treatment clock's events. The run covers [0, End time]; the
// alternating field is on during the AMF sessions ("0-1800; 3600-5400", or with units
// and per session a coil-current scale and a frequency, "0 + 30 min; 2 d + 30 min:
// 0.8, 300 kHz") and off between them. Time steps are cut at session starts and ends,
// so a step never straddles a switch.
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

  // Parses the 'AMF sessions' text (also used by the unit tests).
  void parse_sessions(const std::string &text, double end_time);

  // Coil current relative to its nominal value (the session's scale, 1 by default, in
  // a session; 0 outside) on the step (t_old, t_new], which never straddles a switch.
  double field_scale(double t_old, double t_new) const;
  // The frequency [Hz] of the session holding the step (t_old, t_new]; 0 outside a
  // session or when the session gives none (Electromagnetics/Frequency then applies).
  double session_frequency(double t_old, double t_new) const;
  // The frequencies the sessions give (sorted, each once; empty when none gives one).
  std::vector<double> session_frequencies() const;

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
  // Per session (the order of amf_sessions.list()): coil-current scale and frequency.
  std::vector<double> session_scales, frequencies;
};
} // namespace ferrotherm
