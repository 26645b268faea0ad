// StateTransfer: registered vectors across mesh changes and checkpoints (see
// state_transfer.h).
#include "core/state_transfer.h"

#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>

namespace ferrotherm
{
using namespace dealii;
using Transfer = parallel::distributed::SolutionTransfer<3, FieldVector>;

struct StateTransfer::Group
{
  const DoFHandler<3> *dof_handler;
  std::vector<const ModuleState::VectorEntry *> entries;
  std::vector<FieldVector> values;
  std::unique_ptr<Transfer> transfer;
};

namespace
{
FieldVector ghosted_vector(const DoFHandler<3> &dof_handler)
{
  IndexSet relevant;
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
  return FieldVector(dof_handler.locally_owned_dofs(), relevant,
                     dof_handler.get_communicator());
}
} // namespace

StateTransfer::StateTransfer(const ModuleState &state) : state(state) {}

StateTransfer::~StateTransfer() = default;

void StateTransfer::make_groups()
{
  groups.clear();
  for (const auto &entry : state.vectors())
  {
    Group *group = nullptr;
    for (auto &existing : groups)
      if (existing->dof_handler == entry.dof_handler)
        group = existing.get();
    if (group == nullptr)
    {
      groups.push_back(std::make_unique<Group>());
      group = groups.back().get();
      group->dof_handler = entry.dof_handler;
    }
    group->entries.push_back(&entry);
  }
}

void StateTransfer::attach(bool for_serialization)
{
  make_groups();
  for (auto &group : groups)
  {
    std::vector<const FieldVector *> inputs;
    group->values.clear();
    group->values.reserve(group->entries.size());
    for (const auto *entry : group->entries)
    {
      group->values.push_back(ghosted_vector(*group->dof_handler));
      FieldVector &copy = group->values.back();
      if (entry->field != nullptr)
      {
        AssertDimension(entry->field->locally_owned_size(), copy.locally_owned_size());
        for (unsigned int i = 0; i < copy.locally_owned_size(); ++i)
          copy.local_element(i) = entry->field->local_element(i);
      }
      else
        copy_owned_values(*entry->solver, copy);
      copy.update_ghost_values();
    }
    for (const auto &copy : group->values)
      inputs.push_back(&copy);
    group->transfer = std::make_unique<Transfer>(*group->dof_handler);
    if (for_serialization)
      group->transfer->prepare_for_serialization(inputs);
    else
      group->transfer->prepare_for_coarsening_and_refinement(inputs);
  }
}

void StateTransfer::restore_from_checkpoint()
{
  make_groups();
  for (auto &group : groups)
    group->transfer = std::make_unique<Transfer>(*group->dof_handler);
  restore(true);
}

void StateTransfer::restore_after_refinement() { restore(false); }

void StateTransfer::restore(bool from_checkpoint)
{
  for (auto &group : groups)
  {
    std::vector<FieldVector> results;
    for (unsigned int k = 0; k < group->entries.size(); ++k)
      results.push_back(ghosted_vector(*group->dof_handler));
    std::vector<FieldVector *> outputs;
    for (auto &result : results)
    {
      result.zero_out_ghost_values();
      outputs.push_back(&result);
    }
    if (from_checkpoint)
      group->transfer->deserialize(outputs);
    else
      group->transfer->interpolate(outputs);
    for (unsigned int k = 0; k < group->entries.size(); ++k)
    {
      const ModuleState::VectorEntry &entry = *group->entries[k];
      if (entry.field != nullptr)
      {
        AssertThrow(
            entry.field->locally_owned_size() == results[k].locally_owned_size(),
            ExcMessage("the vector " + entry.name + " was not set up on the new mesh"));
        for (unsigned int i = 0; i < results[k].locally_owned_size(); ++i)
          entry.field->local_element(i) = results[k].local_element(i);
        entry.field->update_ghost_values();
      }
      else
        copy_owned_values(results[k], *entry.solver);
    }
    group->transfer.reset();
    group->values.clear();
  }
  groups.clear();
}
} // namespace ferrotherm
