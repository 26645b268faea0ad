// PhysicsModule: one layer of the treatment model (electromagnetics, MNP transport,
// heat, immune response). A module reads its parameters, publishes its fields in the
// Simulator's FieldRegistry, reads the fields of other modules by name only, and
// advances its unknowns over each macro step of the treatment clock.
#pragma once

#include "core/output_files.h"
#include "core/run_context.h"

#include <deal.II/base/parameter_handler.h>

namespace dealii
{
template <int dim, int spacedim> class DataOut;
}

namespace ferrotherm
{
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

  // Advances over the macro step (t_old, t_new].
  virtual void advance(double t_old, double t_new) = 0;

  // Columns for statistics.csv at output times.
  virtual void add_statistics(StatisticsRow &) const {}

  // Fields for the ParaView output; the data must stay alive until the next call.
  virtual void add_output(dealii::DataOut<3, 3> &) {}
};
} // namespace ferrotherm
