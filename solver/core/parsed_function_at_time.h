// ParsedFunctionAtTime: a ParsedFunction (an expression in x, y, z, t) at a fixed time
// seen as a scalar deal.II Function, for VectorTools::interpolate and
// integrate_difference.
#pragma once

#include "core/parsed_function.h"

#include <deal.II/base/function.h>

namespace ferrotherm
{
class ParsedFunctionAtTime : public dealii::Function<3>
{
public:
  ParsedFunctionAtTime(const ParsedFunction &function, double time)
      : dealii::Function<3>(1, time), function(function)
  {
  }
  double value(const dealii::Point<3> &p, const unsigned int = 0) const override
  {
    return function.value(p, get_time());
  }

private:
  const ParsedFunction &function;
};
} // namespace ferrotherm
