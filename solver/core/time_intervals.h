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
  // `always` covers [0, end_time]. With `with_settings` an interval may carry settings
  // after a colon, 'start+duration: text', kept as text for the caller (settings()).
  void parse(const std::string &text, const std::string &where, double end_time,
             bool with_settings = false);

  // True when the midpoint of (t_old, t_new] lies in an interval.
  bool active(double t_old, double t_new) const;

  // The index (in list()) of the interval holding the midpoint of (t_old, t_new], or -1.
  int interval_at(double t_old, double t_new) const;

  // The first start or end strictly after t (infinity if none).
  double next_switch_after(double t) const;

  const std::vector<std::pair<double, double>> &list() const { return intervals; }
  // Per interval, its settings text (trimmed; empty when none), in the order of list().
  const std::vector<std::string> &settings() const { return interval_settings; }

private:
  std::vector<std::pair<double, double>> intervals;
  std::vector<std::string> interval_settings;
};
} // namespace ferrotherm
