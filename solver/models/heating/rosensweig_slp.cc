// Rosensweig linear-response SLP (see rosensweig_slp.h) and its plugin.
#include "models/heating/rosensweig_slp.h"

#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"

#include <cmath>

namespace ferrotherm
{
namespace
{
constexpr double mu0 = 4e-7 * M_PI;
constexpr double boltzmann = 1.380649e-23;

// (3/xi)(coth xi - 1/xi): the Langevin chord factor, -> 1 for xi -> 0.
double langevin_chord(double xi)
{
  if (xi < 1e-4)
    return 1 - xi * xi / 15;
  return 3 / xi * (1 / std::tanh(xi) - 1 / xi);
}
} // namespace

double rosensweig_slp_per_particle_mass(const RosensweigParticles &p, double d, double h,
                                        double f, double temperature)
{
  const double kT = boltzmann * temperature;
  const double volume = M_PI * d * d * d / 6;
  const double hydrodynamic = d + 2 * p.shell_thickness;
  const double hydrodynamic_volume =
      M_PI * hydrodynamic * hydrodynamic * hydrodynamic / 6;
  const double ms = p.saturation_magnetisation;
  const double xi = mu0 * ms * volume * h / kT;
  const double chi_initial_per_phi = mu0 * ms * ms * volume / (3 * kT);
  const double chi0_per_phi = chi_initial_per_phi * langevin_chord(xi);

  const double barrier = p.anisotropy_constant * volume / kT;
  const double tau_brown = 3 * p.carrier_viscosity * hydrodynamic_volume / kT;
  double tau;
  if (barrier > 700)
    tau = p.immobilised ? HUGE_VAL : tau_brown;
  else
  {
    const double tau_neel = p.attempt_time * std::exp(barrier);
    tau = p.immobilised ? tau_neel : tau_neel * tau_brown / (tau_neel + tau_brown);
  }
  const double omega_tau = 2 * M_PI * f * tau;
  const double loss = std::isinf(tau) ? 0.0 : omega_tau / (1 + omega_tau * omega_tau);
  const double power_per_phi = mu0 * M_PI * chi0_per_phi * h * h * f * loss;
  return power_per_phi / p.particle_density;
}

double rosensweig_slp_per_iron_mass(const RosensweigParticles &p, double h, double f,
                                    double temperature)
{
  double slp;
  if (p.size_sigma <= 0)
    slp = rosensweig_slp_per_particle_mass(p, p.core_diameter, h, f, temperature);
  else
  {
    // Mass-weighted average: ln d ~ N(ln d0 + 3 sigma^2, sigma); composite Simpson in the
    // standard normal variable z over [-8, 8].
    const unsigned int intervals = 320;
    const double z_min = -8, z_max = 8, dz = (z_max - z_min) / intervals;
    const double mass_median =
        std::log(p.core_diameter) + 3 * p.size_sigma * p.size_sigma;
    double sum = 0;
    for (unsigned int k = 0; k <= intervals; ++k)
    {
      const double z = z_min + k * dz;
      const double weight = (k == 0 || k == intervals) ? 1 : (k % 2 ? 4 : 2);
      const double d = std::exp(mass_median + p.size_sigma * z);
      sum += weight * std::exp(-0.5 * z * z) *
             rosensweig_slp_per_particle_mass(p, d, h, f, temperature);
    }
    slp = sum * dz / 3 / std::sqrt(2 * M_PI);
  }
  return slp / p.iron_mass_fraction;
}

namespace
{
class RosensweigSlp : public SpecificLossPower
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    using dealii::Patterns::Anything;
    prm.enter_subsection("Rosensweig");
    prm.declare_entry("Core diameter", "12e-9", Anything(),
                      "Magnetic core diameter d [m], in (0, 1e-5] (the median of the "
                      "log-normal distribution when its width is > 0).");
    prm.declare_entry("Size distribution width", "0", Anything(),
                      "Standard deviation sigma of ln(d) of a log-normal core-size "
                      "distribution, in [0, 2]; 0 for monodisperse particles.");
    prm.declare_entry("Shell thickness", "5e-9", Anything(),
                      "Coating thickness [m], in [0, 1e-5]; hydrodynamic diameter = d "
                      "+ 2 * shell.");
    prm.declare_entry("Saturation magnetisation", "446e3", Anything(),
                      "Domain magnetisation Ms [A/m], in (0, 2e6] (magnetite 446 "
                      "kA/m).");
    prm.declare_entry("Anisotropy constant", "9e3", Anything(),
                      "Effective anisotropy constant K [J/m^3], in [0, 1e8].");
    prm.declare_entry("Attempt time", "1e-9", Anything(),
                      "Neel attempt time tau0 [s], in (0, 1e-6].");
    prm.declare_entry("Carrier viscosity", "1e-3", Anything(),
                      "Viscosity eta around the particles for Brownian rotation [Pa "
                      "s], in (0, 1e3].");
    prm.declare_entry(
        "Immobilised", "false", dealii::Patterns::Bool(),
        "Particles bound in cells or tissue: Brownian rotation blocked, Neel "
        "relaxation only.");
    prm.declare_entry("Particle density", "5180", Anything(),
                      "Density of the core material [kg/m^3], in (0, 2e4] (magnetite "
                      "5180).");
    prm.declare_entry("Iron mass fraction", "0.7236", Anything(),
                      "kg iron per kg core material, in (0, 1] (Fe3O4: 0.7236).");
    prm.declare_entry(
        "Use local temperature", "false", dealii::Patterns::Bool(),
        "Evaluate the thermal energy kT at the local tissue temperature "
        "(a Newton iteration per step) instead of the reference temperature.");
    prm.declare_entry(
        "Reference temperature", "37", Anything(),
        "Temperature [deg C] for kT when 'Use local temperature' is false, in [0, "
        "100].");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Rosensweig");
    // The entry `name`, checked against its plausible range.
    auto value_in = [&](const std::string &name, double lower, double upper,
                        const std::string &unit, LowerBound lower_bound)
    {
      const std::string where = "Heating/Rosensweig/" + name;
      const double value = parse_double(prm.get(name), where);
      check_range(value, lower, upper, where, unit, lower_bound);
      return value;
    };
    const LowerBound open = LowerBound::exclusive, closed = LowerBound::inclusive;
    particles.core_diameter = value_in("Core diameter", 0, 1e-5, "m", open);
    particles.size_sigma = value_in("Size distribution width", 0, 2, "", closed);
    particles.shell_thickness = value_in("Shell thickness", 0, 1e-5, "m", closed);
    particles.saturation_magnetisation =
        value_in("Saturation magnetisation", 0, 2e6, "A/m", open);
    particles.anisotropy_constant =
        value_in("Anisotropy constant", 0, 1e8, "J/m^3", closed);
    particles.attempt_time = value_in("Attempt time", 0, 1e-6, "s", open);
    particles.carrier_viscosity = value_in("Carrier viscosity", 0, 1e3, "Pa s", open);
    particles.immobilised = prm.get_bool("Immobilised");
    particles.particle_density = value_in("Particle density", 0, 2e4, "kg/m^3", open);
    particles.iron_mass_fraction = value_in("Iron mass fraction", 0, 1, "", open);
    local_temperature = prm.get_bool("Use local temperature");
    reference_temperature = value_in("Reference temperature", 0, 100, "deg C", closed);
    prm.leave_subsection();
  }

  double value(double field_amplitude, double frequency,
               double temperature) const override
  {
    if (field_amplitude <= 0)
      return 0;
    const double celsius = local_temperature ? temperature : reference_temperature;
    return rosensweig_slp_per_iron_mass(particles, field_amplitude, frequency,
                                        celsius + 273.15);
  }

  bool depends_on_temperature() const override { return local_temperature; }

private:
  RosensweigParticles particles;
  bool local_temperature = false;
  double reference_temperature = 37;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(SpecificLossPower, RosensweigSlp, "rosensweig",
                           "linear-response theory (Rosensweig 2002) with Neel and Brown "
                           "relaxation, immobilised option and log-normal core sizes")
} // namespace ferrotherm
