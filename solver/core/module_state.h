// ModuleState: what a run's modules hand over when their state must outlive the mesh
// or the process (checkpoint/restart, adaptive refinement). Each module registers
//  - its finite-element vectors, each with the DoFHandler it lives on (the current
//    values and the time-step history: everything the next step reads), and
//  - one record of its scalars (a function listing them to a StateArchive).
// Vectors are transferred between meshes and partitions by interpolation
// (core/state_transfer.h); records are written by rank 0 and read by every rank, so
// they must hold values that agree on all ranks (global sums, counters, clocks).
#pragma once

#include "core/linear_algebra.h"
#include "core/state_archive.h"

#include <functional>
#include <string>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class DoFHandler;
}

namespace ferrotherm
{
class ModuleState
{
public:
  struct VectorEntry
  {
    std::string name; // "<module>/<vector>", for messages
    const dealii::DoFHandler<3, 3> *dof_handler;
    FieldVector *field = nullptr;      // either this (ghosted) ...
    LA::MPI::Vector *solver = nullptr; // ... or this (no ghosts)
  };
  struct Record
  {
    std::string name;
    std::function<void(StateArchive &)> serialize;
  };

  // Sets the module name that prefixes the following entries.
  void begin_module(const std::string &module) { current_module = module; }

  void add_vector(const std::string &name, const dealii::DoFHandler<3, 3> &dof_handler,
                  FieldVector &vector);
  void add_vector(const std::string &name, const dealii::DoFHandler<3, 3> &dof_handler,
                  LA::MPI::Vector &vector);
  // The module's scalars; called with a writing archive to save, a reading one to load.
  void add_record(std::function<void(StateArchive &)> serialize);

  const std::vector<VectorEntry> &vectors() const { return vector_entries; }

  // All records in one buffer, each framed by its name and size.
  std::string save_records() const;
  // Reads what save_records wrote; an error names the record that does not match.
  void load_records(const std::string &data) const;

private:
  std::string current_module;
  std::vector<VectorEntry> vector_entries;
  std::vector<Record> records;
};
} // namespace ferrotherm
