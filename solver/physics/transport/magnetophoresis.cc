// Magnetophoretic drift velocity (see magnetophoresis.h).
#include "physics/transport/magnetophoresis.h"

#include "models/coils/biot_savart.h"

#include <cmath>

namespace ferrotherm
{
double langevin(double xi)
{
  if (std::abs(xi) < 1e-3)
    return xi / 3 - xi * xi * xi / 45;
  return 1 / std::tanh(xi) - 1 / xi;
}

dealii::Tensor<1, 3> magnetophoretic_velocity(const MagnetophoreticParticles &p, double b,
                                              const dealii::Tensor<1, 3> &gradient)
{
  constexpr double boltzmann = 1.380649e-23;
  const double d = p.core_diameter;
  const double core_volume = M_PI * d * d * d / 6;
  const double h = b / vacuum_permeability;
  const double xi = vacuum_permeability * p.saturation_magnetisation * core_volume * h /
                    (boltzmann * p.temperature);
  const double magnetisation = p.saturation_magnetisation * langevin(xi);
  const double magnetic_volume = p.cores_per_cluster * core_volume;
  return magnetic_volume * magnetisation /
         (6 * M_PI * p.viscosity * p.hydrodynamic_radius) * gradient;
}
} // namespace ferrotherm
