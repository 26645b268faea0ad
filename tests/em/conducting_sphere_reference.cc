// Verification reference for the full eddy-current model, built as a plugin library and
// loaded with `Additional shared libraries` (Electromagnetics/Full eddy current/Reference
// solution/Model = conducting sphere). Closed-form eddy currents in a conducting sphere
// (radius a, conductivity sigma) at the origin in a uniform applied field B0 along z,
// time-harmonic e^{j omega t}, inside a spherical air domain of radius R with
// n x A = n x A_s on its boundary (R = infinity: the classical solution, Smythe 1950,
// Static and Dynamic Electricity; Landau & Lifshitz vol. 8, sec. 59):
//   A = f(r) (z x x) / r,  f = C j1(kappa r) inside, f = B0 r/2 + D/r^2 + F r outside,
//   kappa = (1 - j)/delta, delta = sqrt(2/(omega mu0 sigma)), F = -D/R^3,
// with C and D from the continuity of f and of d(r f)/dr at r = a.
#include "core/range_check.h"
#include "models/coils/biot_savart.h"
#include "physics/em/vector_potential_reference.h"

#include <cmath>
#include <complex>
#include <limits>

namespace
{
using namespace dealii;
using complex = std::complex<double>;

complex j0(complex z) { return std::sin(z) / z; }
complex j1(complex z) { return std::sin(z) / (z * z) - std::cos(z) / z; }
// d/dz j1 = j0 - 2 j1 / z
complex j1_prime(complex z) { return j0(z) - 2.0 * j1(z) / z; }

class ConductingSphereReference : public ferrotherm::VectorPotentialReference
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Conducting sphere");
    prm.declare_entry("Radius", "0.05", Patterns::Double(0),
                      "Radius a of the sphere at the origin [m] (source field: coil "
                      "model 'uniform', axis z).");
    prm.declare_entry("Conductivity", "0.5", Patterns::Double(0),
                      "sigma of the sphere [S/m], in (0, 1e8].");
    prm.declare_entry("Outer radius", "0", Patterns::Double(0),
                      "Radius of the spherical air boundary [m] (0: unbounded).");
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm) override
  {
    const std::string where = "Electromagnetics/Full eddy current/Reference solution/"
                              "Conducting sphere/";
    prm.enter_subsection("Conducting sphere");
    a = prm.get_double("Radius");
    ferrotherm::check_range(a, 0, 10, where + "Radius", "m",
                            ferrotherm::LowerBound::exclusive);
    sigma = prm.get_double("Conductivity");
    ferrotherm::check_range(sigma, 0, 1e8, where + "Conductivity", "S/m",
                            ferrotherm::LowerBound::exclusive);
    const double outer_radius = prm.get_double("Outer radius");
    outer = outer_radius > 0 ? outer_radius : std::numeric_limits<double>::infinity();
    prm.leave_subsection();
  }

  void initialize(double omega, double source_b) override
  {
    b0 = source_b;
    const double delta = std::sqrt(2 / (omega * ferrotherm::vacuum_permeability * sigma));
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

  void evaluate(const Point<3> &x, Tensor<1, 3> &a_real, Tensor<1, 3> &a_imag,
                Tensor<1, 3> &curl_real, Tensor<1, 3> &curl_imag) const override
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

private:
  double a = 0.05, sigma = 0.5, outer = 0, b0 = 0;
  complex kappa, c, d, f;

  // f(r) and f'(r).
  void profile(double r, complex &value, complex &slope) const
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
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ferrotherm::VectorPotentialReference,
                           ConductingSphereReference, "conducting sphere",
                           "eddy currents in a conducting sphere in a uniform AC field "
                           "(Smythe 1950), inside a spherical air boundary or unbounded")
