// InputError: the one exception type for bad user input (parameter files, CSV tables,
// mesh files, command-line options). Its message names the culprit (file, line,
// parameter) and what was expected; main() prints it and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace ferrotherm
{
class InputError : public std::runtime_error
{
public:
  explicit InputError(const std::string &message) : std::runtime_error(message) {}
};

// Throws InputError("<where>: <problem>").
[[noreturn]] void throw_input_error(const std::string &where, const std::string &problem);
} // namespace ferrotherm
