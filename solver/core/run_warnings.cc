// RunWarnings: counted, printed-once warnings of a run (see run_warnings.h).
#include "core/run_warnings.h"

#include <ostream>
#include <sstream>

namespace ferrotherm
{
void RunWarnings::warn(const std::string &kind, const std::string &message,
                       unsigned int repeat_every)
{
  const unsigned int count = ++occurrences[kind];
  if (count == 1 || (repeat_every > 0 && (count - 1) % repeat_every == 0))
    screen << "Warning (" << kind << (count > 1 ? ", " + std::to_string(count) + "x" : "")
           << "): " << message << std::endl;
}

void RunWarnings::warn_shortened_step(const std::string &parameter, double requested,
                                      double taken)
{
  std::ostringstream message;
  message << parameter << " = " << requested
          << " s is longer than the time between outputs and schedule events; steps of "
          << taken << " s are taken there (lower " << parameter
          << " or raise Output/Output interval to silence this)";
  warn("time step shortened", message.str());
}

unsigned int RunWarnings::total() const
{
  unsigned int sum = 0;
  for (const auto &entry : occurrences)
    sum += entry.second;
  return sum;
}

std::string RunWarnings::summary() const
{
  std::string text;
  for (const auto &entry : occurrences)
    text += (text.empty() ? "" : ", ") + entry.first + " (" +
            std::to_string(entry.second) + ")";
  return text;
}
} // namespace ferrotherm
