// InputError helpers.
#include "core/input_error.h"

namespace ferrotherm
{
void throw_input_error(const std::string &where, const std::string &problem)
{
  throw InputError(where + ": " + problem);
}
} // namespace ferrotherm
