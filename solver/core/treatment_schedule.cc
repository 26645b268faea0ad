// TreatmentSchedule (see treatment_schedule.h).
#include "core/treatment_schedule.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "core/time_value.h"

#include <algorithm>
#include <cmath>
#include <sstream>

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
      "s in [0, 10] (e.g. '2 d + 30 min: 0.8'); 'interval: f Hz' (or kHz, MHz) at "
      "its own frequency, in (0, 1e8 Hz] (e.g. '0 + 1 h: 300 kHz; 2 d + 1 h: 0.8, "
      "150 kHz'; Electromagnetics/Frequency otherwise): the fields are solved again "
      "at each change of frequency, with the tissue conductivities and the SLP at "
      "that frequency. " +
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
  parse_sessions(prm.get("AMF sessions"), end);
  coupling_step = parse_time(prm.get("Coupling step during sessions"),
                             "Treatment schedule/Coupling step during sessions");
  check_range(coupling_step, 1, 3600, "Treatment schedule/Coupling step during sessions",
              "s");
  prm.leave_subsection();
}

namespace
{
// "300 kHz" -> 3e5; false when the text does not end in a frequency unit.
bool parse_frequency(const std::string &text, const std::string &where, double &frequency)
{
  static const std::pair<const char *, double> units[] = {
      {"MHz", 1e6}, {"kHz", 1e3}, {"Hz", 1}};
  for (const auto &[unit, factor] : units)
  {
    const std::string name(unit);
    if (text.size() > name.size() &&
        text.compare(text.size() - name.size(), name.size(), name) == 0)
    {
      frequency = factor * parse_double(text.substr(0, text.size() - name.size()), where);
      check_range(frequency, 0, 1e8, where, "Hz", LowerBound::exclusive);
      return true;
    }
  }
  return false;
}
} // namespace

void TreatmentSchedule::parse_sessions(const std::string &text, double end_time)
{
  const std::string where = "Treatment schedule/AMF sessions";
  amf_sessions.parse(text, where, end_time, true);
  session_scales.assign(amf_sessions.list().size(), 1.0);
  frequencies.assign(amf_sessions.list().size(), 0.0);
  for (unsigned int s = 0; s < amf_sessions.list().size(); ++s)
  {
    if (amf_sessions.settings()[s].empty())
      continue;
    bool has_scale = false, has_frequency = false;
    for (const std::string &raw : split(amf_sessions.settings()[s], ','))
    {
      const std::string item = trim(raw);
      std::ostringstream session;
      session << "session " << s + 1 << " at " << amf_sessions.list()[s].first << " s";
      const std::string item_where =
          where + " (" + session.str() + ", '" + amf_sessions.settings()[s] + "')";
      if (item.find_first_of("Hh") != std::string::npos)
      {
        if (!parse_frequency(item, item_where, frequencies[s]))
          throw_input_error(item_where, "expected a frequency with the unit Hz, kHz or "
                                        "MHz (e.g. '300 kHz'), found '" +
                                            item + "'");
        if (has_frequency)
          throw_input_error(item_where, "two frequencies for one session");
        has_frequency = true;
      }
      else
      {
        if (has_scale)
          throw_input_error(item_where, "two coil current scales for one session");
        session_scales[s] = parse_double(item, item_where);
        check_range(session_scales[s], 0, 10,
                    where + " (coil current scale of " + session.str() + ")", "");
        has_scale = true;
      }
    }
  }
}

double TreatmentSchedule::field_scale(double t_old, double t_new) const
{
  const int session = amf_sessions.interval_at(t_old, t_new);
  return session >= 0 ? session_scales[session] : 0.0;
}

double TreatmentSchedule::session_frequency(double t_old, double t_new) const
{
  const int session = amf_sessions.interval_at(t_old, t_new);
  return session >= 0 ? frequencies[session] : 0.0;
}

std::vector<double> TreatmentSchedule::session_frequencies() const
{
  std::vector<double> given;
  for (const double f : frequencies)
    if (f > 0)
      given.push_back(f);
  std::sort(given.begin(), given.end());
  given.erase(std::unique(given.begin(), given.end()), given.end());
  return given;
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
