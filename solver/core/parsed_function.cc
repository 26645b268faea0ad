// ParsedFunction: muparser expressions with clear errors (see parsed_function.h).
#include "core/parsed_function.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <deal.II/base/function_parser.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

namespace ferrotherm
{
namespace
{
// Redirects std::cerr to a discarded buffer for its lifetime.
class SilencedErrorStream
{
public:
  SilencedErrorStream() : saved(std::cerr.rdbuf(discarded.rdbuf())) {}
  ~SilencedErrorStream() { std::cerr.rdbuf(saved); }
  SilencedErrorStream(const SilencedErrorStream &) = delete;
  SilencedErrorStream &operator=(const SilencedErrorStream &) = delete;

private:
  std::ostringstream discarded;
  std::streambuf *saved;
};
} // namespace

namespace
{
// The ParsedFunctions alive (a ParsedFunction can be neither copied nor moved).
std::vector<const ParsedFunction *> &live_functions()
{
  static std::vector<const ParsedFunction *> functions;
  return functions;
}
} // namespace

ParsedFunction::ParsedFunction(const std::string &expression,
                               const std::string &parameter_name,
                               const std::map<std::string, double> &constants)
    : text(trim(expression)), parameter(parameter_name), constant(false),
      constant_value(0)
{
  if (text.empty())
    throw_input_error(parameter, "expected an expression in x, y, z, t, found nothing");

  errno = 0;
  char *end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size() && errno == 0)
  {
    if (!std::isfinite(number))
      throw_input_error(parameter, "expected a finite value, found '" + text + "'");
    constant = true;
    constant_value = number;
    return;
  }

  // Does an identifier "t" occur (not as part of a longer name such as "tau")?
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == 't' &&
        (i == 0 || !(std::isalnum(text[i - 1]) || text[i - 1] == '_')) &&
        (i + 1 == text.size() || !(std::isalnum(text[i + 1]) || text[i + 1] == '_')))
      uses_time = true;

  function = std::make_unique<dealii::FunctionParser<3>>(1);
  try
  {
    // deal.II's parser writes muparser's diagnostics to std::cerr before it throws; the
    // error below says the same, naming the parameter.
    const SilencedErrorStream silence;
    std::map<std::string, double> all_constants = constants;
    all_constants.emplace("pi", M_PI);
    all_constants.emplace("Pi", M_PI);
    function->initialize("x,y,z,t", text, all_constants, true);
    // muparser reports most syntax errors only at the first evaluation.
    function->value(dealii::Point<3>());
  }
  catch (const dealii::ExceptionBase &error)
  {
    std::ostringstream message;
    error.print_info(message);
    throw_input_error(parameter, "cannot parse the expression '" + text +
                                     "' (variables x, y, z, t; " + trim(message.str()) +
                                     ")");
  }
  catch (const std::exception &error)
  {
    throw_input_error(parameter, "cannot parse the expression '" + text +
                                     "': " + std::string(error.what()));
  }
  live_functions().push_back(this);
}

ParsedFunction::~ParsedFunction()
{
  auto &functions = live_functions();
  functions.erase(std::remove(functions.begin(), functions.end(), this), functions.end());
}

std::string first_non_finite_expression(const std::vector<dealii::Point<3>> &points,
                                        const std::vector<double> &times)
{
  for (const ParsedFunction *function : live_functions())
    for (const double time : times)
    {
      try
      {
        for (const auto &point : points)
          function->value(point, time);
      }
      catch (const InputError &error)
      {
        return error.what();
      }
      if (!function->depends_on_time())
        break;
    }
  return "";
}

double ParsedFunction::value(const dealii::Point<3> &point, double time) const
{
  if (constant)
    return constant_value;
  function->set_time(time);
  const double result = function->value(point);
  if (!std::isfinite(result))
  {
    std::ostringstream where;
    where << "(" << point << ") at t = " << time;
    throw_input_error(parameter,
                      "the expression '" + text + "' is not finite at " + where.str());
  }
  return result;
}

std::map<std::string, double> parse_function_constants(const std::string &text,
                                                       const std::string &where)
{
  std::map<std::string, double> constants;
  if (trim(text).empty())
    return constants;
  for (const auto &item : split(text, ','))
  {
    const auto equal = item.find('=');
    if (equal == std::string::npos || trim(item.substr(0, equal)).empty())
      throw_input_error(where, "expected 'name=value' items separated by ',', found '" +
                                   item + "'");
    constants[trim(item.substr(0, equal))] = parse_double(item.substr(equal + 1), where);
  }
  return constants;
}
} // namespace ferrotherm
