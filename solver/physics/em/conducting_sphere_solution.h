// Closed-form eddy currents in a conducting sphere (radius a, conductivity sigma) in a
// uniform applied field B0 along z, time-harmonic e^{j omega t}, inside a spherical air
// domain of radius R with n x A = n x A_s on its boundary (R = infinity: the classical
// solution, e.g. Smythe 1950 or Landau & Lifshitz vol. 8 sec. 59):
//   A = f(r) (z x x) / r,  f = C j1(kappa r) inside, f = B0 r/2 + D/r^2 + F r outside,
//   kappa = (1 - j)/delta, delta = sqrt(2/(omega mu0 sigma)), F = -D/R^3,
// with C and D from the continuity of f and of d(r f)/dr at r = a. Used to measure the
// L2 and H(curl) errors of the full eddy-current model.
#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <complex>

namespace ferrotherm
{
class ConductingSphereSolution
{
public:
  ConductingSphereSolution(double radius, double conductivity, double omega, double b0,
                           double outer_radius);

  // A (real and imaginary part) and curl A at x (the sphere centred at the origin).
  void evaluate(const dealii::Point<3> &x, dealii::Tensor<1, 3> &a_real,
                dealii::Tensor<1, 3> &a_imag, dealii::Tensor<1, 3> &curl_real,
                dealii::Tensor<1, 3> &curl_imag) const;

private:
  double a, b0, outer;
  std::complex<double> kappa, c, d, f;
  // f(r) and f'(r).
  void profile(double r, std::complex<double> &value, std::complex<double> &slope) const;
};
} // namespace ferrotherm
