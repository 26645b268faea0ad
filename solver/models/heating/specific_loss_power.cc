// The Heating plugin family (see specific_loss_power.h).
#include "models/heating/specific_loss_power.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(SpecificLossPower)

void SpecificLossPower::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<SpecificLossPower>::instance().declare_parameters(
      prm, "rosensweig",
      "Specific loss power (W per kg iron) of the magnetic nanoparticles.");
}
} // namespace ferrotherm
