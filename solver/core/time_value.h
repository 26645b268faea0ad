// Times in parameter files: a number with an optional unit, "90", "90 s", "30 min",
// "2 h", "3 d" (a plain number is in seconds), converted to seconds. Every time of the
// treatment clock (end time, sessions, injections, doses, time steps, intervals) is
// read with parse_time, so multi-day schedules are written in the units they are
// planned in.
#pragma once

#include <string>

namespace ferrotherm
{
// For parameter documentation: how a time is written.
inline const std::string time_syntax =
    "A time: a number with a unit s, min, h or d ('90 s', '30 min', '2 h', '3 d'); a "
    "plain number is in seconds.";

// The time in seconds; `where` names the parameter for the error message.
double parse_time(const std::string &text, const std::string &where);
} // namespace ferrotherm
