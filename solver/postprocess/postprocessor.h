// Postprocessor: the plugin family of in-run evaluations at output times (temperature
// statistics per tissue, probes, errors against a closed form, ParaView output).
// Chosen with Postprocess/List of postprocessors.
#pragma once

#include "core/output_files.h"
#include "core/plugin_registry.h"
#include "core/run_context.h"
#include "core/state_archive.h"

#include <deal.II/base/parameter_handler.h>

namespace ferrotherm
{
class Simulator;

class Postprocessor
{
public:
  virtual ~Postprocessor() = default;
  // Declares the list entry and every postprocessor's parameters ("Postprocess").
  static void declare_parameters(dealii::ParameterHandler &prm);

  virtual void parse_parameters(dealii::ParameterHandler & /*prm*/, const RunContext &) {}
  virtual void initialize(Simulator &simulator) = 0;
  // After an adaptive mesh change: rebuilds what depends on the cells (weights, probe
  // cells); by default initialize() again.
  virtual void mesh_changed(Simulator &simulator) { initialize(simulator); }
  // At each output time; may add columns to the statistics row.
  virtual void execute(double time, StatisticsRow &row) = 0;
  // Tables and counters that continue across a restart (see core/state_archive.h).
  virtual void serialize_state(StateArchive &) {}
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(Postprocessor)
} // namespace ferrotherm
