// The Electromagnetics plugin family (see electromagnetic_model.h).
#include "physics/em/electromagnetic_model.h"

#include "models/coils/coil.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(ElectromagneticModel)

void ElectromagneticModel::declare_parameters(dealii::ParameterHandler &prm)
{
  prm.declare_entry("Frequency", "100e3", dealii::Patterns::Anything(),
                    "Frequency f of the alternating magnetic field [Hz], > 0. Sets the "
                    "MNP relaxation losses and the tissue conductivities taken from the "
                    "Gabriel Cole-Cole model.");
  PluginRegistry<ElectromagneticModel>::instance().declare_parameters(
      prm, "uniform", "Model of the alternating magnetic field in the tissue.");
  prm.enter_subsection("Coil");
  Coil::declare_parameters(prm);
  prm.leave_subsection();
}
} // namespace ferrotherm
