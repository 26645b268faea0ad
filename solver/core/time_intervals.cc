// TimeIntervals (see time_intervals.h).
#include "core/time_intervals.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <algorithm>
#include <limits>

namespace ferrotherm
{
void TimeIntervals::parse(const std::string &input, const std::string &where,
                          double end_time)
{
  const std::string text = trim(input);
  intervals.clear();
  if (text == "always")
    intervals.emplace_back(0.0, std::max(end_time, 0.0));
  else if (text != "never")
  {
    for (const auto &item : split(text, ';'))
    {
      const auto dash = item.find('-', 1);
      if (dash == std::string::npos)
        throw_input_error(where, "expected 'always', 'never' or 'start-end' intervals in "
                                 "seconds separated by ';', found '" +
                                     item + "'");
      const double start = parse_double(item.substr(0, dash), where);
      const double stop = parse_double(item.substr(dash + 1), where);
      if (!(start >= 0 && stop > start))
        throw_input_error(where,
                          "the interval '" + item + "' must satisfy 0 <= start < end");
      intervals.emplace_back(start, stop);
    }
    std::sort(intervals.begin(), intervals.end());
    for (unsigned int i = 1; i < intervals.size(); ++i)
      if (intervals[i].first < intervals[i - 1].second)
        throw_input_error(where, "the intervals overlap");
  }
}

bool TimeIntervals::active(double t_old, double t_new) const
{
  const double middle = 0.5 * (t_old + t_new);
  for (const auto &interval : intervals)
    if (middle >= interval.first && middle < interval.second)
      return true;
  return false;
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
