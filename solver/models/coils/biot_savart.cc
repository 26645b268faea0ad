// Biot-Savart closed forms for loops and segments (see biot_savart.h).
#include "models/coils/biot_savart.h"

#include <cmath>

namespace ferrotherm
{
using namespace dealii;

MagneticSourceField circular_loop_field(const Point<3> &centre, const Tensor<1, 3> &axis,
                                        double R, double current, const Point<3> &p)
{
  const Tensor<1, 3> d = p - centre;
  const double z = d * axis;
  const Tensor<1, 3> radial = d - z * axis;
  const double rho = radial.norm();
  const double mu_i = vacuum_permeability * current;
  const double s = R * R + z * z;

  double b_z, b_rho, a_phi;
  if (rho < 1e-3 * R)
  {
    // Off-axis expansion of the axis field b(z) = mu0 I R^2 / (2 s^(3/2)).
    const double b0 = mu_i * R * R / (2 * std::pow(s, 1.5));
    const double b1 = -3 * mu_i * R * R * z / (2 * std::pow(s, 2.5));
    const double b2 = 3 * mu_i * R * R * (4 * z * z - R * R) / (2 * std::pow(s, 3.5));
    const double b3 =
        15 * mu_i * R * R * z * (3 * R * R - 4 * z * z) / (2 * std::pow(s, 4.5));
    b_z = b0 - rho * rho * b2 / 4;
    b_rho = -rho * b1 / 2 + rho * rho * rho * b3 / 16;
    a_phi = rho * b0 / 2 - rho * rho * rho * b2 / 16;
  }
  else
  {
    const double r2 = rho * rho + z * z;
    const double alpha2 = R * R + r2 - 2 * R * rho;
    const double beta2 = R * R + r2 + 2 * R * rho;
    const double beta = std::sqrt(beta2);
    const double m = 1 - alpha2 / beta2; // = k^2
    const double k = std::sqrt(m);
    const double big_k = std::comp_ellint_1(k);
    const double big_e = std::comp_ellint_2(k);
    b_z = mu_i * ((R * R - r2) * big_e + alpha2 * big_k) / (2 * M_PI * alpha2 * beta);
    b_rho = mu_i * z * ((R * R + r2) * big_e - alpha2 * big_k) /
            (2 * M_PI * alpha2 * beta * rho);
    if (m < 1e-2)
    {
      // (1 - k^2/2) K - E = (pi k^4 / 32)(1 + 3 k^2/4 + 75 k^4/1024 + ...)
      a_phi = mu_i * k * k * k * std::sqrt(R / rho) / 32 *
              (1 + 0.75 * m + 75.0 / 1024 * m * m);
    }
    else
      a_phi = mu_i / (M_PI * k) * std::sqrt(R / rho) * ((1 - m / 2) * big_k - big_e);
  }
  MagneticSourceField field;
  field.b = b_z * axis;
  if (rho > 0)
  {
    const Tensor<1, 3> e_rho = radial / rho;
    field.b += b_rho * e_rho;
    field.a = a_phi * cross_product_3d(axis, e_rho);
  }
  return field;
}

MagneticSourceField segment_field(const Point<3> &start, const Point<3> &end,
                                  double current, const Point<3> &p)
{
  const Tensor<1, 3> r1 = p - start, r2 = p - end, along = end - start;
  const double n1 = r1.norm(), n2 = r2.norm(), length = along.norm();
  const double factor = vacuum_permeability * current / (4 * M_PI);
  MagneticSourceField field;
  const double denominator = n1 * n2 * (n1 * n2 + r1 * r2);
  if (denominator > 0)
    field.b = factor * (n1 + n2) / denominator * cross_product_3d(r1, r2);
  field.a = factor * std::log((n1 + n2 + length) / (n1 + n2 - length)) / length * along;
  return field;
}

double distance_to_loop(const Point<3> &centre, const Tensor<1, 3> &axis, double radius,
                        const Point<3> &p)
{
  const Tensor<1, 3> d = p - centre;
  const double z = d * axis;
  const double rho = (d - z * axis).norm();
  return std::sqrt((rho - radius) * (rho - radius) + z * z);
}

double distance_to_segment(const Point<3> &start, const Point<3> &end, const Point<3> &p)
{
  const Tensor<1, 3> along = end - start;
  const double t =
      std::max(0.0, std::min(1.0, ((p - start) * along) / along.norm_square()));
  return (p - (start + t * along)).norm();
}
} // namespace ferrotherm
