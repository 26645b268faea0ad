// Plausibility ranges of physical input: every parameter and table value that has a
// physical unit is checked against a generous range of values that can occur in
// hyperthermia planning, so that absurd input (an arterial temperature of -300 deg C,
// a density of 1e300 kg/m^3, a frequency of 1e30 Hz) stops the run with a message
// instead of giving a plausible-looking wrong answer. The ranges are documented in
// the parameter descriptions and in the header of prm/tissues.csv.
#pragma once

#include <string>

namespace ferrotherm
{
// Whether the lower end of a range belongs to it: [lower, upper] or (lower, upper].
enum class LowerBound
{
  inclusive,
  exclusive
};

// The shortest text that reads back as `value`, as a user writes it: 20000, 0.001,
// 45.0000001, -300, 1e9 (not 1e+09); whole numbers below 1e5 without an exponent.
std::string format_number(double value);

// Throws InputError "<where>: expected a value in [lower, upper] <unit>, found <value>"
// unless the value lies in the range (NaN never does). `unit` may be empty.
void check_range(double value, double lower, double upper, const std::string &where,
                 const std::string &unit, LowerBound lower_bound = LowerBound::inclusive);

// check_range for a magnitude: |value| <= bound.
void check_magnitude(double value, double bound, const std::string &where,
                     const std::string &unit);
} // namespace ferrotherm
