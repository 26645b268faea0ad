// The Mesh plugin family (see mesh_generator.h).
#include "models/meshes/mesh_generator.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(MeshGenerator)

void MeshGenerator::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<MeshGenerator>::instance().declare_parameters(
      prm, "box with tumour", "Geometry of the tissue mesh.");
}
} // namespace ferrotherm
