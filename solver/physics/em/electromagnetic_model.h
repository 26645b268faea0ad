// ElectromagneticModel: the plugin family of the field layer (Electromagnetics/Model).
// A model publishes "H_amplitude" (peak |H| of the alternating field, A/m) and, when it
// resolves induced currents, "eddy_heating" (time-averaged Joule power 1/2 sigma |E|^2,
// W/m^3). Fields scale with the coil current of the treatment schedule; EM is linear,
// so a change of current never needs a new field solve.
#pragma once

#include "core/plugin_registry.h"
#include "physics/physics_module.h"

namespace ferrotherm
{
class ElectromagneticModel : public PhysicsModule
{
public:
  // Declares the family's common entries and every registered model in the current
  // section ("Electromagnetics").
  static void declare_parameters(dealii::ParameterHandler &prm);

  // The AMF frequency [Hz] (Electromagnetics/Frequency).
  double frequency() const { return amf_frequency; }
  void set_frequency(double f) { amf_frequency = f; }

private:
  double amf_frequency = 0;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(ElectromagneticModel)
} // namespace ferrotherm
