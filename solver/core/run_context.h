// RunContext: what every plugin may need while parsing its parameters: the directory
// of the parameter file (relative input paths are resolved against it) and the
// user's `Function constants` for muparser expressions.
#pragma once

#include <map>
#include <string>

namespace ferrotherm
{
struct RunContext
{
  std::string input_directory;
  std::map<std::string, double> function_constants;
};
} // namespace ferrotherm
