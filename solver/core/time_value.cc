// Times with units (see time_value.h).
#include "core/time_value.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <cctype>
#include <map>

namespace ferrotherm
{
double parse_time(const std::string &input, const std::string &where)
{
  static const std::map<std::string, double> seconds_per_unit = {
      {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}};
  const std::string text = trim(input);
  // The unit is the trailing run of letters ("1e5" has none).
  std::size_t unit_start = text.size();
  while (unit_start > 0 && std::isalpha(static_cast<unsigned char>(text[unit_start - 1])))
    --unit_start;
  const std::string unit = text.substr(unit_start);
  const auto factor = seconds_per_unit.find(unit.empty() ? "s" : unit);
  try
  {
    if (factor != seconds_per_unit.end())
      return parse_double(text.substr(0, unit_start), where) * factor->second;
  }
  catch (const InputError &)
  {
  }
  throw_input_error(where, "expected a time such as '90 s', '30 min', '2 h' or '3 d' "
                           "(units s, min, h, d; a plain number is in seconds), found '" +
                               text + "'");
}
} // namespace ferrotherm
