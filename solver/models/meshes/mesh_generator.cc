// The Mesh plugin family (see mesh_generator.h).
#include "models/meshes/mesh_generator.h"

#include <deal.II/distributed/tria.h>

#include <cmath>

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(MeshGenerator)

void MeshGenerator::declare_parameters(dealii::ParameterHandler &prm)
{
  PluginRegistry<MeshGenerator>::instance().declare_parameters(
      prm, "box with tumour", "Geometry of the tissue mesh.");
}

void MeshGenerator::refine(dealii::parallel::distributed::Triangulation<3> &triangulation,
                           unsigned int global, const std::string &) const
{
  triangulation.refine_global(built_in_refinements() + global);
  refine_to_labels(triangulation);
}

double MeshGenerator::estimated_active_cells(
    const dealii::parallel::distributed::Triangulation<3> &coarse,
    unsigned int global) const
{
  return coarse.n_cells(0) * std::pow(8.0, built_in_refinements() + global);
}
} // namespace ferrotherm
