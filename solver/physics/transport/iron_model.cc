// The Transport plugin family (see iron_model.h).
#include "physics/transport/iron_model.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(IronModel)

void IronModel::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<IronModel>::instance().declare_parameters(
      prm, "prescribed", "Model of the iron (MNP) distribution.");
}
} // namespace ferrotherm
