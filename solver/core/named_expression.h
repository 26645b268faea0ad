// NamedExpression: a muparser expression of named variables (species, fields, x, y, z,
// t) bound to doubles the caller updates before each evaluation, with the global
// `Function constants` and pi. Unknown names and syntax errors are input errors that name
// the parameter and list the names available.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace mu
{
class Parser;
}

namespace ferrotherm
{
class NamedExpression
{
public:
  // `variables` maps every name the expression may use to the double it reads.
  NamedExpression(const std::string &expression, const std::string &parameter_name,
                  const std::map<std::string, const double *> &variables,
                  const std::map<std::string, double> &constants);
  ~NamedExpression();

  // The value for the current contents of the bound variables; a value that is not
  // finite is an input error naming the parameter.
  double value() const;

  // Names of the variables the expression uses.
  const std::map<std::string, const double *> &used_variables() const { return used; }

private:
  std::unique_ptr<mu::Parser> parser;
  std::string parameter;
  std::map<std::string, const double *> used;
};
} // namespace ferrotherm
