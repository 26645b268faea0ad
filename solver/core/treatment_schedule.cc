// TreatmentSchedule (see treatment_schedule.h).
#include "core/treatment_schedule.h"

#include "core/range_check.h"

#include <algorithm>

namespace ferrotherm
{
using namespace dealii;

void TreatmentSchedule::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Treatment schedule");
  prm.declare_entry("End time", "1800", Patterns::Double(0),
                    "Simulated treatment time [s], in [0, 1e8]. 0 with 'Heat/Time "
                    "stepping = steady' computes the steady state.");
  prm.declare_entry("AMF sessions", "always", Patterns::Anything(),
                    "When the alternating magnetic field is on: 'always', 'never', or "
                    "intervals 'start-end' in seconds separated by ';' (e.g. "
                    "'0-1800; 3600-5400').");
  prm.leave_subsection();
}

void TreatmentSchedule::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Treatment schedule");
  end = prm.get_double("End time");
  check_range(end, 0, 1e8, "Treatment schedule/End time", "s");
  amf_sessions.parse(prm.get("AMF sessions"), "Treatment schedule/AMF sessions", end);
  prm.leave_subsection();
}

double TreatmentSchedule::field_scale(double t_old, double t_new) const
{
  return amf_sessions.active(t_old, t_new) ? 1.0 : 0.0;
}

double TreatmentSchedule::next_event_after(double t) const
{
  return std::min(end, amf_sessions.next_switch_after(t));
}
} // namespace ferrotherm
