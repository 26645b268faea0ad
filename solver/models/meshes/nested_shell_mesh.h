// Coarse hexahedral meshes of nested closed surfaces around a centre: a cube in the
// middle, then six cells between each pair of consecutive surfaces (the "cubed
// sphere" pattern). Each surface is given by its eight corner points (corner k has the
// sign pattern of bits x = k&1, y = k&2, z = k&4). Each region gets a material id
// (tissue label) and a cell manifold id; faces whose corners all lie on a surface get
// that surface's manifold id, so interfaces follow the curved tissue boundaries.
#pragma once

#include "core/triangulation_fwd.h"
#include <deal.II/base/point.h>
#include <deal.II/base/types.h>

#include <array>
#include <vector>

namespace ferrotherm
{
struct NestedSurface
{
  std::array<dealii::Point<3>, 8> corners;
  dealii::types::manifold_id manifold; // for faces on this surface
};

struct NestedRegion
{
  dealii::types::material_id label;
  dealii::types::manifold_id manifold; // for the cells of this region
};

// regions[0] is the central cube (inside surfaces[0]); regions[k] lies between
// surfaces[k-1] and surfaces[k]. The outer boundary (surfaces.back()) gets boundary id 0.
void create_nested_shell_mesh(const std::vector<NestedSurface> &surfaces,
                              const std::vector<NestedRegion> &regions,
                              dealii::Triangulation<3, 3> &triangulation);

// Corner k of the axis-aligned ellipsoid with the given semi-axes scaled by `radius`.
std::array<dealii::Point<3>, 8> ellipsoid_corners(const dealii::Point<3> &centre,
                                                  const std::array<double, 3> &semi_axes,
                                                  double radius);
} // namespace ferrotherm
