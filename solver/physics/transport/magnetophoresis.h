// Magnetophoretic drift of magnetic nanoparticles (or clusters) in a static field
// (Furlani & Ng 2006, Phys Rev E 73:061919):
//   u = mu0 V_m M(H) grad|H| / (6 pi eta r_h) = V_m M(H) grad|B| / (6 pi eta r_h),
//   M(H) = M_s L(xi),  L(xi) = coth(xi) - 1/xi,  xi = mu0 M_s V_core H / (k T),
// with V_m = N V_core the magnetic volume of a cluster of N cores of diameter d, r_h its
// hydrodynamic radius and eta the effective viscosity of the tissue (hindrance included).
#pragma once

#include <deal.II/base/tensor.h>

namespace ferrotherm
{
struct MagnetophoreticParticles
{
  double core_diameter = 12e-9;            // m
  double cores_per_cluster = 1;            // N
  double hydrodynamic_radius = 11e-9;      // m
  double saturation_magnetisation = 446e3; // A/m
  double viscosity = 1e-3;                 // Pa s (effective, in tissue)
  double temperature = 310.15;             // K
};

// Langevin function L(xi), accurate for small xi.
double langevin(double xi);

// Drift velocity [m/s] for the field magnitude |B| [T] and its gradient [T/m].
dealii::Tensor<1, 3> magnetophoretic_velocity(const MagnetophoreticParticles &particles,
                                              double field_magnitude,
                                              const dealii::Tensor<1, 3> &field_gradient);
} // namespace ferrotherm
