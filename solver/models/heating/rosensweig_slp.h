// Rosensweig (2002) linear-response theory of the heat dissipated by a magnetic fluid
// (J Magn Magn Mater 252:370):
//   P = mu0 pi chi0 H^2 f * 2 pi f tau / (1 + (2 pi f tau)^2),
//   chi0 = chi_i (3/xi)(coth xi - 1/xi),  chi_i = mu0 phi Ms^2 V / (3 k T),
//   xi = mu0 Ms V H / (k T),  1/tau = 1/tau_N + 1/tau_B,
//   tau_N = tau0 exp(K V / k T) (Neel),  tau_B = 3 eta V_H / (k T) (Brown),
//   SLP = P / (phi rho) per kg magnetite, divided by the iron mass fraction per kg Fe.
// Immobilised particles (bound in cells or tissue) relax by Neel only. A log-normal
// core-size distribution (median d0, width sigma of ln d) is averaged by mass, i.e. over
// the volume-weighted distribution, which is log-normal with median d0 exp(3 sigma^2).
// Linear response holds for xi < ~1; the model reports values beyond that but they
// overestimate the loss.
#pragma once

namespace ferrotherm
{
struct RosensweigParticles
{
  double core_diameter = 12e-9;            // m (median for a distribution)
  double shell_thickness = 5e-9;           // m, hydrodynamic diameter = core + 2 shell
  double size_sigma = 0;                   // width of ln(d), 0 = monodisperse
  double saturation_magnetisation = 446e3; // A/m
  double anisotropy_constant = 9e3;        // J/m^3
  double attempt_time = 1e-9;              // s
  double carrier_viscosity = 1e-3;         // Pa s
  bool immobilised = false;
  double particle_density = 5180;     // kg/m^3
  double iron_mass_fraction = 0.7236; // Fe3O4
};

// SLP [W per kg of particle material] of monodisperse particles of core diameter d.
double rosensweig_slp_per_particle_mass(const RosensweigParticles &particles, double d,
                                        double field_amplitude, double frequency,
                                        double temperature_kelvin);

// SLP [W per kg iron], averaged over the size distribution.
double rosensweig_slp_per_iron_mass(const RosensweigParticles &particles,
                                    double field_amplitude, double frequency,
                                    double temperature_kelvin);
} // namespace ferrotherm
