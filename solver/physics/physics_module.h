// PhysicsModule: one layer of the treatment model (electromagnetics, MNP transport,
// heat, immune response). A module reads its parameters, publishes its fields in the
// Simulator's FieldRegistry, reads the fields of other modules by name only, and
// advances its unknowns over each macro step of the treatment clock. The Simulator
// keeps its modules in one list, ordered so that a module advances after the providers
// of the fields it needs. Its lifecycle:
//   parse_parameters -> initialize (publish fields) -> setup (on the mesh)
//   -> advance ... ; at a restart: setup on the loaded mesh, the registered state
//   (register_state) restored, state_restored(); at a mesh change:
//   prepare_for_mesh_change, setup on the new mesh, the state interpolated,
//   state_restored(). Simulator::restoring_state() tells setup not to compute an
//   initial state that will be replaced.
#pragma once

#include "core/output_files.h"
#include "core/run_context.h"

#include <deal.II/base/parameter_handler.h>

#include <string>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class DataOut;
}

namespace ferrotherm
{
class ModuleState;
class Simulator;

class PhysicsModule
{
public:
  virtual ~PhysicsModule() = default;

  // prm is positioned in the module's top-level section (e.g. "Electromagnetics").
  virtual void parse_parameters(dealii::ParameterHandler &prm,
                                const RunContext &context) = 0;

  // Registers the fields this module provides; the mesh exists, DoFs do not yet.
  virtual void initialize(Simulator &simulator) = 0;

  // After the scalar space is set up and every module is initialised.
  virtual void setup() {}

  // Fields read in advance() that other modules provide: this module advances after
  // them (a need that no module provides is not an error here; the module asks the
  // registry for it itself).
  virtual std::vector<std::string> needed_fields() const { return {}; }

  // True when the module reacts to the temperature course of an AMF session (the
  // immune kinetics, an on-demand cargo release): the Simulator then cuts sessions
  // into macro steps of at most 'Treatment schedule/Coupling step during sessions',
  // so the module sees T at least that often.
  virtual bool follows_session_temperature() const { return false; }

  // The vectors and scalars that make up the module's state (see core/module_state.h):
  // everything the next step reads that set-up does not rebuild.
  virtual void register_state(ModuleState &) {}

  // Before the mesh changes (adaptive refinement), ahead of register_state: turns
  // state that interpolation would not carry over (nodal masses) into what it does
  // (concentrations), and notes the balances to report the change across it.
  virtual void prepare_for_mesh_change() {}

  // After a restart or mesh change restored the registered state: rebuilds what
  // derives from it (published fields and their versions).
  virtual void state_restored() {}

  // Advances over the macro step (t_old, t_new].
  virtual void advance(double t_old, double t_new) = 0;

  // Columns for statistics.csv at output times.
  virtual void add_statistics(StatisticsRow &) const {}

  // Fields for the ParaView output; the data must stay alive until the next call.
  virtual void add_output(dealii::DataOut<3, 3> &) {}

  // A few words for the progress line (empty: nothing).
  virtual std::string progress_summary() const { return ""; }
};
} // namespace ferrotherm
