// TreatmentSchedule (see treatment_schedule.h).
#include "core/treatment_schedule.h"

#include "core/range_check.h"
#include "core/time_value.h"

#include <algorithm>
#include <cmath>

namespace ferrotherm
{
using namespace dealii;

void TreatmentSchedule::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Treatment schedule");
  prm.declare_entry("End time", "1800", Patterns::Anything(),
                    "Simulated treatment time, in [0, 1e8 s]. 0 with 'Heat/Time "
                    "stepping = steady' computes the steady state. " +
                        time_syntax);
  prm.declare_entry(
      "AMF sessions", "always", Patterns::Anything(),
      "When the alternating magnetic field is on: 'always', 'never', or "
      "intervals 'start-end' or 'start+duration' separated by ';' (e.g. "
      "'0-1800; 3600-5400' in seconds, or '0 + 30 min; 2 d + 30 min'); "
      "'interval: s' runs that session at s times the nominal coil current, "
      "s in [0, 10] (e.g. '2 d + 30 min: 0.8'). " +
          time_syntax);
  prm.declare_entry(
      "Coupling step during sessions", "1 min", Patterns::Anything(),
      "Longest macro step inside an AMF session when a layer reacts to the session's "
      "temperature course (the immune model, the on-demand cargo release): the "
      "layers exchange their fields at least this often while T changes fast. In "
      "[1 s, 1 h]. " +
          time_syntax);
  prm.leave_subsection();
}

void TreatmentSchedule::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Treatment schedule");
  end = parse_time(prm.get("End time"), "Treatment schedule/End time");
  check_range(end, 0, 1e8, "Treatment schedule/End time", "s");
  amf_sessions.parse(prm.get("AMF sessions"), "Treatment schedule/AMF sessions", end,
                     "coil current scale", 10);
  coupling_step = parse_time(prm.get("Coupling step during sessions"),
                             "Treatment schedule/Coupling step during sessions");
  check_range(coupling_step, 1, 3600, "Treatment schedule/Coupling step during sessions",
              "s");
  prm.leave_subsection();
}

double TreatmentSchedule::field_scale(double t_old, double t_new) const
{
  return amf_sessions.value(t_old, t_new);
}

double TreatmentSchedule::next_event_after(double t) const
{
  return std::min(end, amf_sessions.next_switch_after(t));
}

double TreatmentSchedule::next_coupling_time(double t) const
{
  const double next = next_event_after(t);
  if (field_scale(t, next) == 0)
    return next;
  // Equal macro steps over the session, none longer than the coupling step.
  double session_start = t;
  for (const auto &session : amf_sessions.list())
    if (session.first <= t * (1 + 1e-12) + 1e-12 && t < session.second)
      session_start = session.first;
  const double length = next - session_start;
  const double steps = std::ceil(length / coupling_step - 1e-9);
  const double step = length / steps;
  const double k = std::floor((t - session_start) / step + 1e-9) + 1;
  return k >= steps ? next : std::min(next, session_start + k * step);
}
} // namespace ferrotherm
