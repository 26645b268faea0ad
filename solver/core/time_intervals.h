// TimeIntervals: "always", "never" or "start-end; start+duration; ..." with times in
// seconds or with units ("0-30 min; 2 d + 30 min", core/time_value.h) for AMF sessions
// and magnet application. Intervals are sorted, non-overlapping and half-open
// [start, end).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
class TimeIntervals
{
public:
  // `always` covers [0, end_time]. With `value_name` (e.g. "coil current scale") an
  // interval may carry a value, 'start+duration: value' (default 1), in [0, max_value].
  void parse(const std::string &text, const std::string &where, double end_time,
             const std::string &value_name = "", double max_value = 0);

  // True when the midpoint of (t_old, t_new] lies in an interval.
  bool active(double t_old, double t_new) const;

  // The value of the interval holding the midpoint of (t_old, t_new] (0: none).
  double value(double t_old, double t_new) const;

  // The first start or end strictly after t (infinity if none).
  double next_switch_after(double t) const;

  const std::vector<std::pair<double, double>> &list() const { return intervals; }

private:
  // The interval holding the midpoint of (t_old, t_new], or -1.
  int index_at(double t_old, double t_new) const;

  std::vector<std::pair<double, double>> intervals;
  std::vector<double> values; // per interval, in the order of `intervals`
};
} // namespace ferrotherm
