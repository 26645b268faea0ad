// The Immune plugin family (see immune_model.h).
#include "physics/immune/immune_model.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(ImmuneModel)

void ImmuneModel::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<ImmuneModel>::instance().declare_parameters(
      prm, "none", "Model of the immune/ROS response.");
}
} // namespace ferrotherm
