// EllipsoidalManifold: the family of concentric, similar ellipsoids
//   sum_k ((x_k - c_k) / a_k)^2 = r^2,
// obtained by scaling space with 1/a_k and using deal.II's SphericalManifold there.
// A cell, face or line on it stays on its ellipsoid under refinement, so curved tissue
// interfaces (tumour surfaces) converge at the element's order. Equal semi-axes give
// the sphere.
#pragma once

#include <deal.II/grid/manifold.h>
#include <deal.II/grid/manifold_lib.h>

namespace ferrotherm
{
class EllipsoidalManifold : public dealii::Manifold<3>
{
public:
  EllipsoidalManifold(const dealii::Point<3> &centre,
                      const dealii::Tensor<1, 3> &semi_axes);

  std::unique_ptr<dealii::Manifold<3>> clone() const override;

  dealii::Point<3> get_intermediate_point(const dealii::Point<3> &p1,
                                          const dealii::Point<3> &p2,
                                          const double w) const override;

  dealii::Point<3>
  get_new_point(const dealii::ArrayView<const dealii::Point<3>> &surrounding_points,
                const dealii::ArrayView<const double> &weights) const override;

private:
  dealii::Point<3> centre;
  dealii::Tensor<1, 3> semi_axes;
  dealii::SphericalManifold<3> sphere;
  dealii::Point<3> to_sphere(const dealii::Point<3> &p) const;
  dealii::Point<3> from_sphere(const dealii::Point<3> &p) const;
};
} // namespace ferrotherm
