// BoxWithTumourMesh: a box of tissue with an ellipsoidal (or spherical) tumour and an
// optional margin shell of peritumoral tissue, meshed so that the tumour surface and
// the margin surface are cell faces on an EllipsoidalManifold (similar ellipsoids); the
// cells between them and out to the flat box faces use transfinite interpolation.
// Boundary ids 0-5: x_min, x_max, y_min, y_max, z_min, z_max.
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/meshes/ellipsoidal_manifold.h"
#include "models/meshes/mesh_generator.h"
#include "models/meshes/nested_shell_mesh.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/manifold_lib.h>

namespace ferrotherm
{
namespace
{
constexpr dealii::types::manifold_id transfinite_id = 0;
constexpr dealii::types::manifold_id ellipsoid_id = 1;

class BoxWithTumourMesh : public MeshGenerator
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    using dealii::Patterns::Anything;
    using dealii::Patterns::Integer;
    prm.enter_subsection("Box with tumour");
    prm.declare_entry("Lower corner", "-0.05, -0.05, -0.05", Anything(),
                      "x, y, z of the box's lower corner [m].");
    prm.declare_entry("Upper corner", "0.05, 0.05, 0.05", Anything(),
                      "x, y, z of the box's upper corner [m].");
    prm.declare_entry("Tumour centre", "0, 0, 0", Anything(),
                      "Centre of the tumour [m].");
    prm.declare_entry("Tumour semi-axes", "0.01, 0.01, 0.01", Anything(),
                      "Semi-axes of the ellipsoidal tumour along x, y, z [m].");
    prm.declare_entry("Margin scale", "2", Anything(),
                      "The margin surface is the tumour ellipsoid scaled by this factor "
                      "(> 1); 0 for no margin shell.");
    prm.declare_entry("Tissue label", "1", Integer(0, 254),
                      "Label of the surrounding tissue.");
    prm.declare_entry("Tumour label", "2", Integer(0, 254), "Label of the tumour.");
    prm.declare_entry("Margin label", "1", Integer(0, 254),
                      "Label of the margin shell (the tissue label to merge it).");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string section = "Mesh/Box with tumour/";
    prm.enter_subsection("Box with tumour");
    const auto lower =
        parse_double_list(prm.get("Lower corner"), section + "Lower corner", 3);
    const auto upper =
        parse_double_list(prm.get("Upper corner"), section + "Upper corner", 3);
    const auto c =
        parse_double_list(prm.get("Tumour centre"), section + "Tumour centre", 3);
    const auto axes =
        parse_double_list(prm.get("Tumour semi-axes"), section + "Tumour semi-axes", 3);
    margin_scale = parse_double(prm.get("Margin scale"), section + "Margin scale");
    tissue_label = prm.get_integer("Tissue label");
    tumour_label = prm.get_integer("Tumour label");
    margin_label = prm.get_integer("Margin label");
    prm.leave_subsection();
    if (margin_scale != 0 && !(margin_scale > 1))
      throw_input_error(section + "Margin scale", "must be 0 or greater than 1");
    const double outer = margin_scale > 1 ? margin_scale : 1.0;
    for (unsigned int d = 0; d < 3; ++d)
    {
      lower_corner[d] = lower[d];
      upper_corner[d] = upper[d];
      centre[d] = c[d];
      semi_axes[d] = axes[d];
      if (!(axes[d] > 0))
        throw_input_error(section + "Tumour semi-axes", "must be positive");
      // Much thinner than the box, the curved cells around the tumour degenerate.
      const double smallest = 1e-3 * (upper[d] - lower[d]);
      if (!(axes[d] >= smallest))
        throw_input_error(section + "Tumour semi-axes",
                          "expected at least 1e-3 of the box size (" +
                              format_number(smallest) + " m), found " +
                              format_number(axes[d]) + " m");
      // The outer ellipsoid (and the corner cells' room) must fit in the box.
      if (!(c[d] - 1.2 * outer * axes[d] > lower[d] &&
            c[d] + 1.2 * outer * axes[d] < upper[d]))
        throw_input_error(
            section + "Tumour semi-axes",
            "the tumour (times the margin scale, plus 20%) must lie inside the box");
    }
  }

  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<3> &tria) const override
  {
    std::vector<NestedSurface> surfaces;
    std::vector<NestedRegion> regions;
    // Cells use transfinite interpolation; only the ellipsoids carry the ellipsoidal
    // manifold (a manifold on whole cells is not smooth at the patch seams).
    surfaces.push_back({ellipsoid_corners(centre, semi_axes, 0.5), transfinite_id});
    regions.push_back(
        {static_cast<dealii::types::material_id>(tumour_label), transfinite_id});
    surfaces.push_back({ellipsoid_corners(centre, semi_axes, 1.0), ellipsoid_id});
    regions.push_back(
        {static_cast<dealii::types::material_id>(tumour_label), transfinite_id});
    if (margin_scale > 1)
    {
      surfaces.push_back(
          {ellipsoid_corners(centre, semi_axes, margin_scale), ellipsoid_id});
      regions.push_back(
          {static_cast<dealii::types::material_id>(margin_label), transfinite_id});
    }
    std::array<dealii::Point<3>, 8> box;
    for (unsigned int k = 0; k < 8; ++k)
      for (unsigned int d = 0; d < 3; ++d)
        box[k][d] = (k >> d) & 1 ? upper_corner[d] : lower_corner[d];
    surfaces.push_back({box, dealii::numbers::flat_manifold_id});
    regions.push_back(
        {static_cast<dealii::types::material_id>(tissue_label), transfinite_id});

    create_nested_shell_mesh(surfaces, regions, tria);
    for (const auto &cell : tria.active_cell_iterators())
      for (const unsigned int f : cell->face_indices())
        if (cell->face(f)->at_boundary())
        {
          const dealii::Point<3> x = cell->face(f)->center();
          for (unsigned int d = 0; d < 3; ++d)
          {
            const double tolerance = 1e-8 * (upper_corner[d] - lower_corner[d]);
            if (std::abs(x[d] - lower_corner[d]) < tolerance)
              cell->face(f)->set_boundary_id(2 * d);
            if (std::abs(x[d] - upper_corner[d]) < tolerance)
              cell->face(f)->set_boundary_id(2 * d + 1);
          }
        }
    dealii::Tensor<1, 3> axes;
    for (unsigned int d = 0; d < 3; ++d)
      axes[d] = semi_axes[d];
    tria.set_manifold(ellipsoid_id, EllipsoidalManifold(centre, axes));
    dealii::TransfiniteInterpolationManifold<3> transfinite;
    transfinite.initialize(tria);
    tria.set_manifold(transfinite_id, transfinite);
  }

  std::map<std::string, dealii::types::boundary_id> boundary_names() const override
  {
    return {{"x_min", 0}, {"x_max", 1}, {"y_min", 2},
            {"y_max", 3}, {"z_min", 4}, {"z_max", 5}};
  }

private:
  dealii::Point<3> lower_corner, upper_corner, centre;
  std::array<double, 3> semi_axes = {{0.01, 0.01, 0.01}};
  double margin_scale = 2;
  unsigned int tissue_label = 1, tumour_label = 2, margin_label = 1;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    MeshGenerator, BoxWithTumourMesh, "box with tumour",
    "a tissue box with an ellipsoidal tumour and margin shell whose "
    "surfaces are cell faces")
} // namespace ferrotherm
