// EllipsoidalManifold (see ellipsoidal_manifold.h).
#include "models/meshes/ellipsoidal_manifold.h"

#include <vector>

namespace ferrotherm
{
using namespace dealii;

EllipsoidalManifold::EllipsoidalManifold(const Point<3> &centre,
                                         const Tensor<1, 3> &semi_axes)
    : centre(centre), semi_axes(semi_axes), sphere(Point<3>())
{
}

std::unique_ptr<Manifold<3>> EllipsoidalManifold::clone() const
{
  return std::make_unique<EllipsoidalManifold>(centre, semi_axes);
}

Point<3> EllipsoidalManifold::to_sphere(const Point<3> &p) const
{
  Point<3> q;
  for (unsigned int d = 0; d < 3; ++d)
    q[d] = (p[d] - centre[d]) / semi_axes[d];
  return q;
}

Point<3> EllipsoidalManifold::from_sphere(const Point<3> &q) const
{
  Point<3> p;
  for (unsigned int d = 0; d < 3; ++d)
    p[d] = centre[d] + q[d] * semi_axes[d];
  return p;
}

Point<3> EllipsoidalManifold::get_intermediate_point(const Point<3> &p1,
                                                     const Point<3> &p2,
                                                     const double w) const
{
  return from_sphere(sphere.get_intermediate_point(to_sphere(p1), to_sphere(p2), w));
}

Point<3>
EllipsoidalManifold::get_new_point(const ArrayView<const Point<3>> &surrounding_points,
                                   const ArrayView<const double> &weights) const
{
  std::vector<Point<3>> mapped(surrounding_points.size());
  for (unsigned int i = 0; i < surrounding_points.size(); ++i)
    mapped[i] = to_sphere(surrounding_points[i]);
  return from_sphere(sphere.get_new_point(make_array_view(mapped), weights));
}
} // namespace ferrotherm
