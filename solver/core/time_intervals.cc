// TimeIntervals (see time_intervals.h).
#include "core/time_intervals.h"

#include "core/input_error.h"
#include "core/text_parsing.h"
#include "core/time_value.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace ferrotherm
{
namespace
{
// The '-' or '+' between the two times of an interval: not a sign at the start and not
// the sign of an exponent ("1e-3").
std::size_t find_separator(const std::string &item)
{
  for (std::size_t i = 1; i < item.size(); ++i)
    if ((item[i] == '-' || item[i] == '+') &&
        !((item[i - 1] == 'e' || item[i - 1] == 'E') && i >= 2 &&
          std::isdigit(static_cast<unsigned char>(item[i - 2]))))
      return i;
  return std::string::npos;
}
} // namespace

void TimeIntervals::parse(const std::string &input, const std::string &where,
                          double end_time, bool with_settings)
{
  const std::string text = trim(input);
  std::vector<std::pair<std::pair<double, double>, std::string>> parsed;
  if (text == "always")
    parsed.push_back({{0.0, std::max(end_time, 0.0)}, ""});
  else if (text != "never")
  {
    for (const auto &entry : split(text, ';'))
    {
      std::string item = entry, settings;
      if (const auto colon = entry.find(':'); colon != std::string::npos)
      {
        if (!with_settings)
          throw_input_error(where,
                            "an interval takes no value here, found '" + entry + "'");
        item = entry.substr(0, colon);
        settings = trim(entry.substr(colon + 1));
        if (settings.empty())
          throw_input_error(where, "nothing after ':' in '" + trim(entry) + "'");
      }
      const std::size_t separator = find_separator(item);
      if (separator == std::string::npos)
        throw_input_error(where, "expected 'always', 'never' or intervals 'start-end' or "
                                 "'start+duration' separated by ';' (times with units "
                                 "s, min, h, d, e.g. '2 d + 30 min'), found '" +
                                     item + "'");
      const double start = parse_time(item.substr(0, separator), where);
      const double second = parse_time(item.substr(separator + 1), where);
      const double stop = item[separator] == '+' ? start + second : second;
      if (!(start >= 0 && stop > start))
        throw_input_error(where,
                          "the interval '" + item + "' must satisfy 0 <= start < end");
      parsed.push_back({{start, stop}, settings});
    }
    std::sort(parsed.begin(), parsed.end());
    for (unsigned int i = 1; i < parsed.size(); ++i)
      if (parsed[i].first.first < parsed[i - 1].first.second)
        throw_input_error(where, "the intervals overlap");
  }
  intervals.clear();
  interval_settings.clear();
  for (const auto &[interval, settings] : parsed)
  {
    intervals.push_back(interval);
    interval_settings.push_back(settings);
  }
}

int TimeIntervals::interval_at(double t_old, double t_new) const
{
  const double middle = 0.5 * (t_old + t_new);
  for (unsigned int i = 0; i < intervals.size(); ++i)
    if (middle >= intervals[i].first && middle < intervals[i].second)
      return static_cast<int>(i);
  return -1;
}

bool TimeIntervals::active(double t_old, double t_new) const
{
  return interval_at(t_old, t_new) >= 0;
}

double TimeIntervals::next_switch_after(double t) const
{
  double next = std::numeric_limits<double>::infinity();
  for (const auto &interval : intervals)
    for (const double event : {interval.first, interval.second})
      if (event > t * (1 + 1e-12) + 1e-12 && event < next)
        next = event;
  return next;
}
} // namespace ferrotherm
