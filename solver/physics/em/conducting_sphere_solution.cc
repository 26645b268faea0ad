// Conducting sphere in a uniform AC field (see conducting_sphere_solution.h).
#include "physics/em/conducting_sphere_solution.h"

#include "models/coils/biot_savart.h"

#include <cmath>
#include <limits>

namespace ferrotherm
{
using namespace dealii;
using complex = std::complex<double>;

namespace
{
complex j0(complex z) { return std::sin(z) / z; }
complex j1(complex z) { return std::sin(z) / (z * z) - std::cos(z) / z; }
// d/dz j1 = j0 - 2 j1 / z
complex j1_prime(complex z) { return j0(z) - 2.0 * j1(z) / z; }
} // namespace

ConductingSphereSolution::ConductingSphereSolution(double radius, double conductivity,
                                                   double omega, double b0,
                                                   double outer_radius)
    : a(radius), b0(b0), outer(outer_radius)
{
  const double delta = std::sqrt(2 / (omega * vacuum_permeability * conductivity));
  kappa = complex(1, -1) / delta;
  const double fc = std::isfinite(outer) ? -1 / (outer * outer * outer) : 0.0;
  // C j1(ka) - D (1/a^2 + fc a) = B0 a / 2;  C (r j1)'(a) - D (-1/a^2 + 2 fc a) = B0 a
  const complex m11 = j1(kappa * a), m12 = -(1.0 / (a * a) + fc * a);
  const complex m21 = j1(kappa * a) + kappa * a * j1_prime(kappa * a);
  const complex m22 = -(-1.0 / (a * a) + 2.0 * fc * a);
  const complex det = m11 * m22 - m12 * m21;
  c = (0.5 * b0 * a * m22 - m12 * b0 * a) / det;
  d = (m11 * b0 * a - 0.5 * m21 * b0 * a) / det;
  f = fc * d;
}

void ConductingSphereSolution::profile(double r, complex &value, complex &slope) const
{
  if (r <= a)
  {
    const complex z = kappa * r;
    value = c * j1(z);
    slope = c * kappa * j1_prime(z);
  }
  else
  {
    value = 0.5 * b0 * r + d / (r * r) + f * r;
    slope = 0.5 * b0 - 2.0 * d / (r * r * r) + f;
  }
}

void ConductingSphereSolution::evaluate(const Point<3> &x, Tensor<1, 3> &a_real,
                                        Tensor<1, 3> &a_imag, Tensor<1, 3> &curl_real,
                                        Tensor<1, 3> &curl_imag) const
{
  const double r = std::max(x.norm(), 1e-12 * a);
  complex value, slope;
  profile(r, value, slope);
  // A = g (z x x) with g = f / r; curl A = (g'/r)(r^2 z - z_x x) + 2 g z.
  const complex g = value / r, g_prime = slope / r - value / (r * r);
  const Tensor<1, 3> z_cross_x({-x[1], x[0], 0});
  const Tensor<1, 3> e_z({0, 0, 1});
  const Tensor<1, 3> direction = r * e_z - (x[2] / r) * Tensor<1, 3>(x);
  a_real = g.real() * z_cross_x;
  a_imag = g.imag() * z_cross_x;
  curl_real = g_prime.real() * direction + 2 * g.real() * e_z;
  curl_imag = g_prime.imag() * direction + 2 * g.imag() * e_z;
}
} // namespace ferrotherm
