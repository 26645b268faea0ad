// Nested-shell coarse meshes (see nested_shell_mesh.h).
#include "models/meshes/nested_shell_mesh.h"

#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria.h>

#include <cmath>
#include <set>

namespace ferrotherm
{
using namespace dealii;

std::array<Point<3>, 8> ellipsoid_corners(const Point<3> &centre,
                                          const std::array<double, 3> &semi_axes,
                                          double radius)
{
  std::array<Point<3>, 8> corners;
  const double unit = 1 / std::sqrt(3.0);
  for (unsigned int k = 0; k < 8; ++k)
    for (unsigned int d = 0; d < 3; ++d)
      corners[k][d] = centre[d] + ((k >> d) & 1 ? 1 : -1) * unit * radius * semi_axes[d];
  return corners;
}

void create_nested_shell_mesh(const std::vector<NestedSurface> &surfaces,
                              const std::vector<NestedRegion> &regions,
                              Triangulation<3> &triangulation)
{
  std::vector<Point<3>> vertices;
  for (const auto &surface : surfaces)
    vertices.insert(vertices.end(), surface.corners.begin(), surface.corners.end());

  std::vector<CellData<3>> cells;
  CellData<3> centre_cell;
  for (unsigned int k = 0; k < 8; ++k)
    centre_cell.vertices[k] = k;
  centre_cell.material_id = regions[0].label;
  centre_cell.manifold_id = regions[0].manifold;
  cells.push_back(centre_cell);

  for (unsigned int s = 1; s < surfaces.size(); ++s)
    for (unsigned int axis = 0; axis < 3; ++axis)
      for (unsigned int side = 0; side < 2; ++side)
      {
        const unsigned int t1 = axis == 0 ? 1 : 0, t2 = axis == 2 ? 1 : 2;
        CellData<3> cell;
        for (unsigned int corner = 0; corner < 4; ++corner)
        {
          const unsigned int u = corner & 1, v = (corner >> 1) & 1;
          const unsigned int k = (side << axis) | (u << t1) | (v << t2);
          cell.vertices[corner] = 8 * (s - 1) + k;
          cell.vertices[corner + 4] = 8 * s + k;
        }
        cell.material_id = regions[s].label;
        cell.manifold_id = regions[s].manifold;
        cells.push_back(cell);
      }

  // Cells are built without regard to handedness: invert the mirrored ones, then make
  // edge directions consistent (required in 3D), which may mirror cells again.
  GridTools::invert_cells_with_negative_measure(vertices, cells);
  GridTools::consistently_order_cells(cells);
  GridTools::invert_cells_with_negative_measure(vertices, cells);
  triangulation.create_triangulation(vertices, cells, SubCellData());

  for (const auto &cell : triangulation.active_cell_iterators())
    cell->set_all_manifold_ids(cell->manifold_id());
  for (unsigned int s = 0; s < surfaces.size(); ++s)
  {
    std::set<unsigned int> on_surface;
    for (unsigned int k = 0; k < 8; ++k)
      on_surface.insert(8 * s + k);
    for (const auto &cell : triangulation.active_cell_iterators())
      for (const unsigned int f : cell->face_indices())
      {
        bool all = true;
        for (const unsigned int v : cell->face(f)->vertex_indices())
          all &= on_surface.count(cell->face(f)->vertex_index(v)) > 0;
        if (all)
        {
          cell->face(f)->set_all_manifold_ids(surfaces[s].manifold);
          if (cell->face(f)->at_boundary())
            cell->face(f)->set_boundary_id(0);
        }
      }
  }
}
} // namespace ferrotherm
