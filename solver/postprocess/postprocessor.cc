// The Postprocess plugin family (see postprocessor.h).
#include "postprocess/postprocessor.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(Postprocessor)

void Postprocessor::declare_parameters(dealii::ParameterHandler &prm)
{
  const auto &registry = PluginRegistry<Postprocessor>::instance();
  prm.declare_entry(
      "List of postprocessors", "temperature statistics, solution output",
      dealii::Patterns::MultipleSelection(registry.selection_pattern()),
      registry.documentation("Comma-separated postprocessors run at every output time "
                             "(statistics.csv always holds the heat balance and dose)."));
  registry.declare_plugin_parameters(prm);
}
} // namespace ferrotherm
