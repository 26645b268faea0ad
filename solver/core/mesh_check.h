// check_coarse_mesh: the geometric check of every coarse cell, for every mesh generator,
// before any work. A hexahedron with the vertices v_i (deal.II's numbering) is the image
// of the unit cube under the trilinear map x(xi) = sum_i v_i N_i(xi). Its Jacobian
// determinant det J(xi) must be positive at the 8 vertices and at the 3x3x3 Gauss points:
// an inverted or twisted cell (vertices out of order, faces crossing) has det J <= 0
// somewhere. Its volume V = integral of det J over the unit cube (exact with 3x3x3 Gauss
// points: det J has degree 2 in each direction) must not be negligible against its
// diameter^3, and the mesh volume must be positive. Every rank holds all coarse cells, so
// every rank reaches the same verdict without communication.
#pragma once

#include <string>

namespace dealii
{
template <int dim, int spacedim> class Triangulation;
}

namespace ferrotherm
{
// Throws InputError("<source>: coarse cell <index> with the vertices ... <problem>").
// `source` names the mesh in messages (its file, or the parameter that builds it).
void check_coarse_mesh(const dealii::Triangulation<3, 3> &triangulation,
                       const std::string &source);
} // namespace ferrotherm
