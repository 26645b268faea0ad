// The perfusion plugin family (see perfusion_model.h).
#include "models/perfusion/perfusion_model.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(PerfusionModel)

void PerfusionModel::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<PerfusionModel>::instance().declare_plugin_parameters(prm);
}
} // namespace ferrotherm
