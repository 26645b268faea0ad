// StateTransfer: moves the registered vectors of a ModuleState across a change of the
// mesh or of the process layout with deal.II's parallel::distributed::SolutionTransfer
// (one per DoFHandler, in the order of registration):
//  - to a checkpoint: attach(), then Triangulation::save writes the vectors with the
//    mesh; after Triangulation::load and the modules' set-up (any number of ranks),
//    restore_from_checkpoint() fills the registered vectors again;
//  - across adaptive refinement: attach(), execute_coarsening_and_refinement, the
//    modules' set-up on the new mesh, then restore_after_refinement() interpolates.
// Values are copied (ghosted) at attach(), so the modules may reinitialise their vectors
// in between; the restored vectors get their ghost values updated.
#pragma once

#include "core/module_state.h"

#include <memory>
#include <vector>

namespace ferrotherm
{
class StateTransfer
{
public:
  explicit StateTransfer(const ModuleState &state);
  ~StateTransfer();

  // `for_serialization`: for Triangulation::save; otherwise for a refinement.
  void attach(bool for_serialization);
  void restore_from_checkpoint();
  void restore_after_refinement();

private:
  struct Group;
  const ModuleState &state;
  std::vector<std::unique_ptr<Group>> groups;

  void make_groups();
  void restore(bool from_checkpoint);
};
} // namespace ferrotherm
