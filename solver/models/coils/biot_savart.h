// Closed-form magnetostatic fields of thin current loops and straight segments in free
// space (Biot-Savart), peak values for a peak current I:
//  - circular loop of radius R (Smythe 1950; Simpson et al. 2001, NASA/TM-2013-217919),
//    with m = 1 - alpha^2/beta^2, alpha^2 = R^2 + r^2 - 2 R rho, beta^2 = R^2 + r^2 + 2 R
//    rho:
//      B_z   = mu0 I [(R^2 - r^2) E(m) + alpha^2 K(m)] / (2 pi alpha^2 beta),
//      B_rho = mu0 I z [(R^2 + r^2) E(m) - alpha^2 K(m)] / (2 pi alpha^2 beta rho),
//      A_phi = mu0 I / (pi k) sqrt(R/rho) [(1 - k^2/2) K(k) - E(k)],  k^2 = 4 R rho /
//      beta^2;
//    near the axis (rho < 1e-3 R) the off-axis expansion of the axis field b(z) replaces
//    them (B_z = b - rho^2 b''/4, B_rho = -rho b'/2 + rho^3 b'''/16, A_phi = rho b/2 -
//    rho^3 b''/16), which the elliptic forms lose to cancellation;
//  - straight segment a -> b: B = mu0 I (r1 x r2)(|r1| + |r2|) / (4 pi |r1||r2| (|r1||r2|
//  +
//    r1.r2)), A = mu0 I u ln((|r1| + |r2| + L) / (|r1| + |r2| - L)) / (4 pi),
//    with r1 = p - a, r2 = p - b, u = (b - a)/L.
// A is in the Coulomb gauge for closed circuits, so E = -j omega A in free space.
#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

namespace ferrotherm
{
constexpr double vacuum_permeability = 4e-7 * 3.14159265358979323846;

struct MagneticSourceField
{
  dealii::Tensor<1, 3> b; // flux density [T]
  dealii::Tensor<1, 3> a; // vector potential [T m]
};

// Loop of radius R around `centre` in the plane normal to the unit vector `axis`,
// current I circulating right-handed about the axis.
MagneticSourceField circular_loop_field(const dealii::Point<3> &centre,
                                        const dealii::Tensor<1, 3> &axis, double radius,
                                        double current, const dealii::Point<3> &p);

// Straight segment from `start` to `end` carrying the current I in that direction.
MagneticSourceField segment_field(const dealii::Point<3> &start,
                                  const dealii::Point<3> &end, double current,
                                  const dealii::Point<3> &p);

// Distance from p to the loop wire / the segment.
double distance_to_loop(const dealii::Point<3> &centre, const dealii::Tensor<1, 3> &axis,
                        double radius, const dealii::Point<3> &p);
double distance_to_segment(const dealii::Point<3> &start, const dealii::Point<3> &end,
                           const dealii::Point<3> &p);
} // namespace ferrotherm
