// IronModel: the plugin family of the MNP layer (Transport/Model). A model publishes
// "iron", the total iron concentration c_Fe [kg Fe/m^3 = mg Fe/mL] that drives the MNP
// heating Q_mnp = c_Fe * SLP.
#pragma once

#include "core/plugin_registry.h"
#include "physics/physics_module.h"

namespace ferrotherm
{
class IronModel : public PhysicsModule
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(IronModel)
} // namespace ferrotherm
