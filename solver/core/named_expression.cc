// NamedExpression (see the header).
#include "core/named_expression.h"

#include "core/input_error.h"

#include <muParser.h>

#include <cmath>

namespace ferrotherm
{
NamedExpression::NamedExpression(const std::string &expression,
                                 const std::string &parameter_name,
                                 const std::map<std::string, const double *> &variables,
                                 const std::map<std::string, double> &constants)
    : parser(std::make_unique<mu::Parser>()), parameter(parameter_name)
{
  std::string known;
  for (const auto &variable : variables)
    known += (known.empty() ? "" : ", ") + variable.first;
  try
  {
    parser->DefineConst("pi", M_PI);
    for (const auto &constant : constants)
      parser->DefineConst(constant.first, constant.second);
    // muparser binds non-const pointers; it only reads them.
    for (const auto &variable : variables)
      parser->DefineVar(variable.first, const_cast<double *>(variable.second));
    parser->SetExpr(expression);
    for (const auto &name : parser->GetUsedVar())
    {
      const auto variable = variables.find(name.first);
      if (variable == variables.end())
        throw_input_error(parameter, "unknown name '" + name.first + "' in '" +
                                         expression + "' (names available: " + known +
                                         ", and the Function constants)");
      used.emplace(name.first, variable->second);
    }
  }
  catch (const mu::Parser::exception_type &error)
  {
    throw_input_error(
        parameter, "cannot parse the expression '" + expression + "': " + error.GetMsg() +
                       " (names available: " + known + ", and the Function constants)");
  }
}

NamedExpression::~NamedExpression() = default;

double NamedExpression::value() const
{
  double result;
  try
  {
    result = parser->Eval();
  }
  catch (const mu::Parser::exception_type &error)
  {
    throw_input_error(parameter, "cannot evaluate the expression: " + error.GetMsg());
  }
  if (!std::isfinite(result))
    throw_input_error(parameter, "the expression is not finite (" +
                                     std::to_string(result) + ") for the current values");
  return result;
}
} // namespace ferrotherm
