// ParsedFunction: a scalar user function of (x, y, z, t) given as a muparser expression
// in a parameter (`set Initial temperature = 37 + 2*exp(-x^2/1e-4)`), with the global
// `Function constants` and pi available. Syntax errors name the parameter; a value that
// is not finite (NaN, inf) is an error naming the parameter and the point. Every
// ParsedFunction alive can be checked at once (first_non_finite_expression), so that a
// run and --validate refuse `1/0` before any work.
#pragma once

#include <deal.II/base/point.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dealii
{
template <int dim> class FunctionParser;
}

namespace ferrotherm
{
class ParsedFunction
{
public:
  ParsedFunction(const std::string &expression, const std::string &parameter_name,
                 const std::map<std::string, double> &constants);
  ~ParsedFunction();

  double value(const dealii::Point<3> &point, double time = 0.0) const;

  // True when the expression is a plain number (so it can be evaluated once).
  bool is_constant() const { return constant; }
  // True when the expression uses the variable t.
  bool depends_on_time() const { return uses_time; }
  const std::string &expression() const { return text; }

private:
  std::string text;
  std::string parameter;
  bool constant;
  bool uses_time = false;
  double constant_value;
  std::unique_ptr<dealii::FunctionParser<3>> function;
};

// Evaluates every ParsedFunction alive at `points` (and at each of `times` if it uses
// t): the error message naming the parameter, point and time of the first value that
// is not finite, or "" if all are finite.
std::string first_non_finite_expression(const std::vector<dealii::Point<3>> &points,
                                        const std::vector<double> &times);

// Parses "a=1, b=2.5" (the `Function constants` parameter).
std::map<std::string, double> parse_function_constants(const std::string &text,
                                                       const std::string &where);
} // namespace ferrotherm
