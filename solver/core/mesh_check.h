// check_coarse_mesh: the geometric check of every coarse cell, for every mesh generator,
// before any work. A hexahedron with the vertices v_i (deal.II's numbering) is the image
// of the unit cube under the trilinear map x(xi) = sum_i v_i N_i(xi). Its Jacobian
// determinant det J(xi) must be positive at the 8 vertices and at the 3x3x3 Gauss points:
// an inverted or twisted cell (vertices out of order, faces crossing) has det J <= 0
// somewhere. Its volume V = integral of det J over the unit cube (exact with 3x3x3 Gauss
// points: det J has degree 2 in each direction) must not be negligible against its
// diameter^3, and the mesh volume must be positive; no two vertices of the coarse cells
// may coincide (within 1e-6 of the smallest cell: the cells on either side would not be
// connected). Every rank holds all coarse cells, so every rank reaches the same verdict
// without communication.
#pragma once

#include "core/triangulation_fwd.h"
#include <deal.II/base/point.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
// Throws InputError("<source>: coarse cell <index> with the vertices ... <problem>").
// `source` names the mesh in messages (its file, or the parameter that builds it).
void check_coarse_mesh(const dealii::Triangulation<3, 3> &triangulation,
                       const std::string &source);

// The first pair of points (indices, the lower first) closer than `tolerance`, if any:
// the points are sorted by their projection on a direction of irrational slopes (no ties
// on structured grids), so only neighbours in that order are compared.
std::optional<std::pair<std::size_t, std::size_t>>
find_coincident_points(const std::vector<dealii::Point<3>> &points, double tolerance);

// The labels (material ids) of the active cells of all ranks (collective).
std::set<unsigned int> active_cell_labels(
    const dealii::parallel::distributed::Triangulation<3, 3> &triangulation);
} // namespace ferrotherm
