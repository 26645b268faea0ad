// LayeredSphereMesh: concentric spherical layers (e.g. tumour | tissue, or tumour |
// muscle | fat | skin), each a tissue label, with every interface a cell face on a
// SphericalManifold; cells use transfinite interpolation between them. The outer
// sphere is boundary id 0, named "outer".
#include "core/input_error.h"
#include "core/text_parsing.h"
#include "models/meshes/mesh_generator.h"
#include "models/meshes/nested_shell_mesh.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/manifold_lib.h>

namespace ferrotherm
{
namespace
{
constexpr dealii::types::manifold_id transfinite_id = 0;
constexpr dealii::types::manifold_id sphere_id = 1;

class LayeredSphereMesh : public MeshGenerator
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Layered sphere");
    prm.declare_entry("Centre", "0, 0, 0", dealii::Patterns::Anything(), "Centre [m].");
    prm.declare_entry(
        "Radii", "0.01, 0.05", dealii::Patterns::Anything(),
        "Increasing outer radii of the layers [m]; the last is the domain.");
    prm.declare_entry("Labels", "2, 1", dealii::Patterns::Anything(),
                      "Tissue label of each layer, innermost first (one per radius).");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Layered sphere");
    const auto c = parse_double_list(prm.get("Centre"), "Mesh/Layered sphere/Centre", 3);
    radii = parse_double_list(prm.get("Radii"), "Mesh/Layered sphere/Radii");
    const auto label_values =
        parse_double_list(prm.get("Labels"), "Mesh/Layered sphere/Labels",
                          static_cast<unsigned int>(radii.size()));
    prm.leave_subsection();
    for (unsigned int d = 0; d < 3; ++d)
      centre[d] = c[d];
    if (radii.empty())
      throw_input_error("Mesh/Layered sphere/Radii", "expected at least one radius");
    for (unsigned int k = 0; k < radii.size(); ++k)
      if (!(radii[k] > 0) || (k > 0 && !(radii[k] > radii[k - 1])))
        throw_input_error("Mesh/Layered sphere/Radii",
                          "expected positive, increasing radii");
    labels.clear();
    for (const double value : label_values)
    {
      if (value < 0 || value > 254 || value != static_cast<unsigned int>(value))
        throw_input_error("Mesh/Layered sphere/Labels", "expected integer labels 0-254");
      labels.push_back(static_cast<unsigned int>(value));
    }
  }

  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<3> &tria) const override
  {
    const std::array<double, 3> unit = {{1, 1, 1}};
    std::vector<NestedSurface> surfaces;
    std::vector<NestedRegion> regions;
    // All cells use transfinite interpolation; only the spheres carry the spherical
    // manifold. (SphericalManifold on whole cells places refined points by spherical
    // averaging, which is not smooth where the cubed-sphere patches meet, and costs
    // Q2 an order of convergence at those seams.)
    surfaces.push_back({ellipsoid_corners(centre, unit, 0.5 * radii[0]), transfinite_id});
    regions.push_back(
        {static_cast<dealii::types::material_id>(labels[0]), transfinite_id});
    for (unsigned int k = 0; k < radii.size(); ++k)
    {
      surfaces.push_back({ellipsoid_corners(centre, unit, radii[k]), sphere_id});
      regions.push_back(
          {static_cast<dealii::types::material_id>(labels[k]), transfinite_id});
    }
    create_nested_shell_mesh(surfaces, regions, tria);
    tria.set_manifold(sphere_id, dealii::SphericalManifold<3>(centre));
    dealii::TransfiniteInterpolationManifold<3> transfinite;
    transfinite.initialize(tria);
    tria.set_manifold(transfinite_id, transfinite);
  }

  std::map<std::string, dealii::types::boundary_id> boundary_names() const override
  {
    return {{"outer", 0}};
  }

private:
  dealii::Point<3> centre;
  std::vector<double> radii;
  std::vector<unsigned int> labels;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(MeshGenerator, LayeredSphereMesh, "layered sphere",
                           "concentric spherical tissue layers with curved interfaces")
} // namespace ferrotherm
