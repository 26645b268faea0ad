// RunWarnings: results that are computed but questionable (a temperature above the
// plausible limit, a heat balance that does not close, AMF sessions outside the run, a
// time step shortened to fit the schedule). Each warning is printed once per kind on
// screen and in log.txt (rank 0) and every occurrence is counted; statistics.csv carries
// the running count, so a run with warnings never looks like a clean one.
#pragma once

#include "core/state_archive.h"

#include <deal.II/base/conditional_ostream.h>

#include <map>
#include <string>

namespace ferrotherm
{
class RunWarnings
{
public:
  explicit RunWarnings(dealii::ConditionalOStream &screen) : screen(screen) {}

  // Records one occurrence of `kind`; the message is printed on its first occurrence
  // (and again after `repeat_every` more, if non-zero). Call it on every rank with the
  // same arguments (decisions from collective values), so the counts agree.
  void warn(const std::string &kind, const std::string &message,
            unsigned int repeat_every = 0);

  // A module's fixed time step (`parameter`, `requested` s) that had to be shortened to
  // `taken` s to end at an output or schedule time.
  void warn_shortened_step(const std::string &parameter, double requested, double taken);

  unsigned int total() const;
  const std::map<std::string, unsigned int> &counts() const { return occurrences; }

  // "kind (n), kind (n)" for the summary; empty without warnings.
  std::string summary() const;

  // The counts (for a checkpoint; a warning printed before it is not printed again).
  void serialize(StateArchive &archive) { archive &occurrences; }

private:
  dealii::ConditionalOStream &screen;
  std::map<std::string, unsigned int> occurrences;
};
} // namespace ferrotherm
