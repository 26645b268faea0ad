// Range checks of physical input (see range_check.h).
#include "core/range_check.h"

#include "core/input_error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ferrotherm
{
std::string format_number(double value)
{
  auto general = [value](int digits)
  {
    std::ostringstream out;
    out.precision(digits);
    out << value;
    return out.str();
  };
  int digits = 1;
  while (digits < 17 && std::strtod(general(digits).c_str(), nullptr) != value)
    ++digits;
  if (std::abs(value) >= 1 && std::abs(value) < 1e5)
    digits = std::max(digits, static_cast<int>(std::log10(std::abs(value))) + 1);
  const std::string text = general(digits);
  const auto e = text.find('e');
  if (e == std::string::npos)
    return text;
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent[0] == '-';
  if (exponent[0] == '+' || exponent[0] == '-')
    exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return text.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
}

void check_range(double value, double lower, double upper, const std::string &where,
                 const std::string &unit, LowerBound lower_bound)
{
  const bool above_lower =
      lower_bound == LowerBound::inclusive ? value >= lower : value > lower;
  if (above_lower && value <= upper)
    return;
  throw_input_error(
      where, "expected a value in " +
                 std::string(lower_bound == LowerBound::inclusive ? "[" : "(") +
                 format_number(lower) + ", " + format_number(upper) + "]" +
                 (unit.empty() ? "" : " " + unit) + ", found " + format_number(value));
}

void check_magnitude(double value, double bound, const std::string &where,
                     const std::string &unit)
{
  check_range(value, -bound, bound, where, unit);
}
} // namespace ferrotherm
