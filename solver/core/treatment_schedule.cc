// TreatmentSchedule (see treatment_schedule.h).
#include "core/treatment_schedule.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <algorithm>

namespace ferrotherm
{
using namespace dealii;

void TreatmentSchedule::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Treatment schedule");
  prm.declare_entry("End time", "1800", Patterns::Double(0),
                    "Simulated treatment time [s]. 0 with 'Heat/Time stepping = steady' "
                    "computes the steady state.");
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
  const std::string where = "Treatment schedule/AMF sessions";
  const std::string text = trim(prm.get("AMF sessions"));
  amf_sessions.clear();
  if (text == "always")
    amf_sessions.emplace_back(0.0, std::max(end, 0.0));
  else if (text != "never")
  {
    for (const auto &item : split(text, ';'))
    {
      const auto dash = item.find('-', 1);
      if (dash == std::string::npos)
        throw_input_error(where, "expected 'start-end' intervals in seconds, found '" +
                                     item + "'");
      const double start = parse_double(item.substr(0, dash), where);
      const double stop = parse_double(item.substr(dash + 1), where);
      if (!(start >= 0 && stop > start))
        throw_input_error(where,
                          "the interval '" + item + "' must satisfy 0 <= start < end");
      amf_sessions.emplace_back(start, stop);
    }
    std::sort(amf_sessions.begin(), amf_sessions.end());
    for (unsigned int i = 1; i < amf_sessions.size(); ++i)
      if (amf_sessions[i].first < amf_sessions[i - 1].second)
        throw_input_error(where, "the sessions overlap");
  }
  prm.leave_subsection();
}

double TreatmentSchedule::field_scale(double t_old, double t_new) const
{
  const double middle = 0.5 * (t_old + t_new);
  for (const auto &session : amf_sessions)
    if (middle >= session.first && middle < session.second)
      return 1.0;
  return 0.0;
}

double TreatmentSchedule::next_event_after(double t) const
{
  double next = end;
  for (const auto &session : amf_sessions)
    for (const double event : {session.first, session.second})
      if (event > t * (1 + 1e-12) + 1e-12 && event < next)
        next = event;
  return next;
}
} // namespace ferrotherm
