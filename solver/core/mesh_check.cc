// check_coarse_mesh: positive Jacobian determinant of the trilinear map of every coarse
// hexahedron at its vertices and Gauss points, no (near-)zero cell volume, a positive
// mesh volume (see mesh_check.h).
#include "core/mesh_check.h"

#include "core/input_error.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/tensor.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/grid/tria.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

namespace ferrotherm
{
namespace
{
// A cell whose volume is below this fraction of its diameter^3 has zero volume (a cube
// has 0.19, a 1:1000:1000 plate 3.5e-4).
constexpr double zero_volume_fraction = 1e-10;
// det J below this fraction of diameter^3 counts as not positive (rounding of a zero).
constexpr double zero_jacobian_fraction = 1e-12;

// det J of the trilinear map of the hexahedron `v` at the point xi of the unit cube.
double jacobian_determinant(const std::array<dealii::Point<3>, 8> &v,
                            const dealii::Point<3> &xi)
{
  dealii::Tensor<2, 3> jacobian; // columns: dx/dxi_d
  for (unsigned int i = 0; i < 8; ++i)
  {
    // Vertex i sits at the corner (i & 1, (i >> 1) & 1, (i >> 2) & 1).
    double factor[3], slope[3];
    for (unsigned int d = 0; d < 3; ++d)
    {
      const bool upper = (i >> d) & 1;
      factor[d] = upper ? xi[d] : 1 - xi[d];
      slope[d] = upper ? 1 : -1;
    }
    const double gradient[3] = {slope[0] * factor[1] * factor[2],
                                factor[0] * slope[1] * factor[2],
                                factor[0] * factor[1] * slope[2]};
    for (unsigned int c = 0; c < 3; ++c)
      for (unsigned int d = 0; d < 3; ++d)
        jacobian[c][d] += v[i][c] * gradient[d];
  }
  return dealii::determinant(jacobian);
}

std::string describe_cell(unsigned int index, const std::array<dealii::Point<3>, 8> &v)
{
  std::ostringstream text;
  text << "coarse cell " << index << " with the vertices";
  for (unsigned int i = 0; i < 8; ++i)
    text << (i ? ", " : " ") << "(" << v[i] << ")";
  text << " [m]";
  return text.str();
}
} // namespace

void check_coarse_mesh(const dealii::Triangulation<3, 3> &triangulation,
                       const std::string &source)
{
  const dealii::QGauss<3> gauss(3);
  double mesh_volume = 0;
  unsigned int index = 0;
  for (const auto &cell : triangulation.cell_iterators_on_level(0))
  {
    if (!cell->reference_cell().is_hyper_cube())
      throw_input_error(source,
                        "coarse cell " + std::to_string(index) + " is not a hexahedron");
    std::array<dealii::Point<3>, 8> v;
    for (unsigned int i = 0; i < 8; ++i)
      v[i] = cell->vertex(i);
    const double diameter = cell->diameter();
    const double scale = diameter * diameter * diameter;

    double volume = 0;
    for (unsigned int q = 0; q < gauss.size(); ++q)
      volume += gauss.weight(q) * jacobian_determinant(v, gauss.point(q));
    if (!(std::abs(volume) > zero_volume_fraction * scale))
    {
      std::ostringstream problem;
      problem << describe_cell(index, v) << " has zero volume (" << volume
              << " m^3, diameter " << diameter
              << " m); expected a hexahedron of positive volume";
      throw_input_error(source, problem.str());
    }

    for (unsigned int k = 0; k < 8 + gauss.size(); ++k)
    {
      const dealii::Point<3> xi =
          k < 8 ? dealii::Point<3>(k & 1, (k >> 1) & 1, (k >> 2) & 1)
                : gauss.point(k - 8);
      const double det = jacobian_determinant(v, xi);
      if (!(det > zero_jacobian_fraction * scale))
      {
        std::ostringstream problem;
        problem << describe_cell(index, v) << " is "
                << (volume < 0 ? "inverted" : "twisted")
                << ": the Jacobian determinant of its trilinear map is " << det
                << " m^3 at ";
        if (k < 8)
          problem << "vertex " << k;
        else
          problem << "the reference point (" << xi << ")";
        problem << "; expected it positive everywhere (vertices in the order of the "
                   "element type, faces not crossing)";
        throw_input_error(source, problem.str());
      }
    }
    mesh_volume += volume;
    ++index;
  }
  if (index == 0)
    throw_input_error(source, "the mesh has no cells");
  if (!(mesh_volume > 0))
    throw_input_error(source, "the mesh has zero volume");

  // Vertices of the coarse cells stored twice.
  std::map<unsigned int, std::size_t> position;
  std::vector<dealii::Point<3>> vertices;
  std::vector<unsigned int> numbers;
  double smallest = std::numeric_limits<double>::infinity();
  for (const auto &cell : triangulation.cell_iterators_on_level(0))
  {
    smallest = std::min(smallest, cell->minimum_vertex_distance());
    for (const unsigned int v : cell->vertex_indices())
      if (position.emplace(cell->vertex_index(v), vertices.size()).second)
      {
        vertices.push_back(cell->vertex(v));
        numbers.push_back(cell->vertex_index(v));
      }
  }
  if (const auto pair = find_coincident_points(vertices, 1e-6 * smallest))
  {
    std::ostringstream problem;
    problem << "the vertices " << numbers[pair->first] << " and " << numbers[pair->second]
            << " of the coarse cells are at the same point (" << vertices[pair->first]
            << "): the cells on either side are not connected; expected distinct "
               "vertices";
    throw_input_error(source, problem.str());
  }
}

std::optional<std::pair<std::size_t, std::size_t>>
find_coincident_points(const std::vector<dealii::Point<3>> &points, double tolerance)
{
  const dealii::Tensor<1, 3> direction({1.0, std::sqrt(2.0) - 1.0, std::sqrt(3.0) - 1.5});
  const double length = direction.norm();
  std::vector<double> projection(points.size());
  for (std::size_t k = 0; k < points.size(); ++k)
    projection[k] = points[k] * direction;
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) {
              return std::make_pair(projection[a], a) < std::make_pair(projection[b], b);
            });
  for (std::size_t i = 0; i < order.size(); ++i)
    for (std::size_t j = i + 1;
         j < order.size() &&
         projection[order[j]] - projection[order[i]] <= tolerance * length;
         ++j)
      if (points[order[i]].distance(points[order[j]]) <= tolerance)
        return std::make_pair(std::min(order[i], order[j]), std::max(order[i], order[j]));
  return std::nullopt;
}

std::set<unsigned int>
active_cell_labels(const dealii::parallel::distributed::Triangulation<3> &triangulation)
{
  std::vector<unsigned int> local;
  for (const auto &cell : triangulation.active_cell_iterators())
    if (cell->is_locally_owned())
      local.push_back(cell->material_id());
  std::sort(local.begin(), local.end());
  local.erase(std::unique(local.begin(), local.end()), local.end());
  std::set<unsigned int> labels;
  for (const auto &rank_labels :
       dealii::Utilities::MPI::all_gather(triangulation.get_communicator(), local))
    labels.insert(rank_labels.begin(), rank_labels.end());
  return labels;
}
} // namespace ferrotherm
