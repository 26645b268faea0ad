// ImmuneModel: the plugin family of the immune/ROS layer (Immune/Model). A model advances
// reaction-diffusion systems of cells and signals that read the other layers' fields by
// name (temperature, thermal damage, iron) and publishes its species as fields.
#pragma once

#include "core/plugin_registry.h"
#include "physics/physics_module.h"

namespace ferrotherm
{
class ImmuneModel : public PhysicsModule
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(ImmuneModel)
} // namespace ferrotherm
