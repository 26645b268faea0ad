// Reaction terms of the default immune/ROS model and their Jacobian (see
// immunotherapy_kinetics.h).
#include "physics/immune/immunotherapy_kinetics.h"

#include <algorithm>
#include <cmath>

namespace ferrotherm
{
namespace immunotherapy
{
const std::array<const char *, n_species> species_names = {
    {"tumour_cells", "damaged_cells", "damp", "h2o2", "lipid_peroxide", "immature_dc",
     "mature_dc", "cd8_t_cells", "m1_macrophages", "m2_macrophages", "anti_pdl1"}};
const std::array<const char *, n_species> species_units = {
    {"cells/mm^3", "cells/mm^3", "1", "uM", "uM", "cells/mm^3", "cells/mm^3",
     "cells/mm^3", "cells/mm^3", "cells/mm^3", "nM"}};

namespace
{
constexpr double gas_constant = 8.314462618;          // J/(mol K)
constexpr double iron_molar_per_mg_ml = 1.0 / 55.845; // mol/L of Fe per mg/mL

// Arrhenius factor relative to the reference temperature [K].
double arrhenius(double activation_energy, double celsius, double reference_kelvin)
{
  return std::exp(-activation_energy / gas_constant *
                  (1.0 / (celsius + 273.15) - 1.0 / reference_kelvin));
}
} // namespace

Coefficients::Coefficients(const Parameters &p, const Inputs &in)
{
  const double t = in.temperature;
  // CEM43 rate (Sapareto & Dewey 1984): R = 0.5 at and above 43 deg C, 0.25 below.
  heat_kill = p.kill_rate_43 * std::pow(t >= 43 ? 0.5 : 0.25, 43 - t);
  icd_window = std::exp(-(t - p.optimal_temperature) * (t - p.optimal_temperature) /
                        (2 * p.window_width * p.window_width));
  const double iron = std::max(in.iron, 0.0);
  // Fenton rate k_F [1/(M s)] on the labile Fe2+ [M] plus the nanozyme activity.
  hydroxyl = p.fenton_25 * arrhenius(p.activation_energy, t, 298.15) * p.labile_fraction *
                 iron * iron_molar_per_mg_ml +
             p.nanozyme_37 * arrhenius(p.activation_energy, t, 310.15) * iron;
  gpx = p.gpx_37 / (1 + p.gpx_heat_loss * std::max(t - 41, 0.0));
  effector_heat_kill = p.effector_heat_kill * std::max(t - 45, 0.0);
  k21_base = p.polarisation_21 + p.iron_repolarisation * iron / (p.iron_half + iron);
  effector_influx = p.infiltration * in.perfusion * in.effectors_blood;
  antibody_influx = p.antibody_extravasation * in.perfusion;
}

double ferroptosis_rate(const Parameters &p, double lipid_peroxide)
{
  const double excess = std::max(lipid_peroxide - p.ferroptosis_threshold, 0.0);
  return p.ferroptosis_rate * excess / (p.ferroptosis_half + excess);
}

namespace
{
// The terms shared by the rates and the Jacobian, with their derivatives.
struct Terms
{
  double n_total, sat_c, dsat_c, kox, dkox, blockade, dblockade, pdl1, dpdl1, phi,
      dphi_de, dphi_da, sat_z, dsat_z;

  Terms(const Parameters &p, const double *u)
  {
    n_total = u[tumour] + u[damaged] + u[immature_dc] + u[mature_dc] + u[effector] +
              u[m1] + u[m2];
    sat_c = u[tumour] / (p.tumour_half + u[tumour]);
    dsat_c = p.tumour_half / ((p.tumour_half + u[tumour]) * (p.tumour_half + u[tumour]));
    const double excess = u[lipid_peroxide] - p.ferroptosis_threshold;
    kox = ferroptosis_rate(p, u[lipid_peroxide]);
    dkox = excess > 0
               ? p.ferroptosis_rate * p.ferroptosis_half /
                     ((p.ferroptosis_half + excess) * (p.ferroptosis_half + excess))
               : 0.0;
    blockade = u[antibody] / (u[antibody] + p.antibody_kd);
    dblockade =
        p.antibody_kd / ((u[antibody] + p.antibody_kd) * (u[antibody] + p.antibody_kd));
    pdl1 = p.pdl1_basal + p.pdl1_induced * u[effector] / (p.pdl1_half + u[effector]);
    dpdl1 = p.pdl1_induced * p.pdl1_half /
            ((p.pdl1_half + u[effector]) * (p.pdl1_half + u[effector]));
    phi = 1 / (1 + pdl1 * (1 - blockade) / p.checkpoint_scale);
    dphi_de = -phi * phi * dpdl1 * (1 - blockade) / p.checkpoint_scale;
    dphi_da = phi * phi * pdl1 * dblockade / p.checkpoint_scale;
    sat_z = u[damp] / (p.damp_half + u[damp]);
    dsat_z = p.damp_half / ((p.damp_half + u[damp]) * (p.damp_half + u[damp]));
  }
};
} // namespace

void rates(const Parameters &p, const Inputs &in, const Coefficients &c, const double *u,
           double *f)
{
  const Terms s(p, u);
  const double immune_kill = p.effector_kill * s.phi * u[effector] * s.sat_c;
  const double macrophage_kill = p.macrophage_kill * u[m1] * s.sat_c;
  const double maturation = p.dc_maturation * u[immature_dc] * s.sat_z;
  const double k12 = p.polarisation_12 * s.sat_c;
  const double k21 = c.k21_base + p.damp_repolarisation * s.sat_z;
  const double macrophage_source = p.macrophage_source * (1 + s.sat_z);
  const double antibody_factor = u[antibody] / (p.antibody_kd + u[antibody]);

  f[tumour] = p.growth * u[tumour] * (1 - s.n_total / p.capacity) -
              (c.heat_kill + s.kox) * u[tumour] + p.recovery * u[damaged] - immune_kill -
              macrophage_kill;
  f[damaged] = (c.heat_kill + s.kox) * u[tumour] - (p.recovery + p.lysis) * u[damaged];
  f[damp] = p.damp_per_heat_kill * c.icd_window * c.heat_kill * u[tumour] +
            p.damp_per_ros_kill * s.kox * u[tumour] +
            p.damp_per_immune_kill * immune_kill - p.damp_decay * u[damp] -
            p.damp_per_maturation * maturation;
  f[peroxide] = p.peroxide_source * (u[tumour] + u[damaged]) / p.capacity -
                p.catalase * u[peroxide] - c.hydroxyl * u[peroxide];
  f[lipid_peroxide] =
      p.peroxidation_yield * c.hydroxyl * u[peroxide] - c.gpx * u[lipid_peroxide];
  f[immature_dc] = p.dc_source * (1 - u[immature_dc] / p.dc_capacity) - maturation -
                   p.dc_death * u[immature_dc];
  f[mature_dc] = maturation - (p.dc_death + p.dc_emigration) * u[mature_dc];
  f[effector] =
      c.effector_influx +
      p.expansion * u[effector] * u[mature_dc] / (p.expansion_half + u[mature_dc]) -
      p.effector_death * u[effector] -
      p.exhaustion * s.pdl1 * (1 - s.blockade) * u[effector] * s.sat_c -
      p.suppression * u[m2] * u[effector] / (p.suppression_half + u[m2]) -
      c.effector_heat_kill * u[effector];
  f[m1] = macrophage_source * p.m1_fraction + k21 * u[m2] - k12 * u[m1] -
          p.macrophage_death * u[m1];
  f[m2] = macrophage_source * (1 - p.m1_fraction) + k12 * u[m1] - k21 * u[m2] -
          p.macrophage_death * u[m2];
  f[antibody] = c.antibody_influx * (in.antibody_plasma - u[antibody]) -
                p.antibody_binding * s.pdl1 * u[tumour] / p.capacity * antibody_factor -
                p.antibody_clearance * u[antibody] + in.antibody_release;
}

void jacobian(const Parameters &p, const Inputs &, const Coefficients &c, const double *u,
              double *jac)
{
  const Terms s(p, u);
  constexpr unsigned int n = n_species;
  std::fill(jac, jac + n * n, 0.0);
  auto d = [jac](unsigned int i, unsigned int j) -> double & { return jac[i * n + j]; };

  // Immune kill mu_E Phi(E, A) E s(C) and its derivatives.
  const double kill_c = p.effector_kill * s.phi * u[effector] * s.dsat_c;
  const double kill_e = p.effector_kill * s.sat_c * (s.phi + u[effector] * s.dphi_de);
  const double kill_a = p.effector_kill * u[effector] * s.sat_c * s.dphi_da;
  const double mkill_c = p.macrophage_kill * u[m1] * s.dsat_c;
  const double mkill_m1 = p.macrophage_kill * s.sat_c;
  const double mature_di = p.dc_maturation * s.sat_z;
  const double mature_z = p.dc_maturation * u[immature_dc] * s.dsat_z;

  // Tumour: logistic growth in the total density N.
  const double crowd = -p.growth * u[tumour] / p.capacity;
  for (const unsigned int j : {damaged, immature_dc, mature_dc, effector, m1, m2})
    d(tumour, j) = crowd;
  d(tumour, tumour) = p.growth * (1 - s.n_total / p.capacity) + crowd -
                      (c.heat_kill + s.kox) - kill_c - mkill_c;
  d(tumour, damaged) += p.recovery;
  d(tumour, lipid_peroxide) = -s.dkox * u[tumour];
  d(tumour, effector) -= kill_e;
  d(tumour, antibody) = -kill_a;
  d(tumour, m1) -= mkill_m1;

  d(damaged, tumour) = c.heat_kill + s.kox;
  d(damaged, lipid_peroxide) = s.dkox * u[tumour];
  d(damaged, damaged) = -(p.recovery + p.lysis);

  d(damp, tumour) = p.damp_per_heat_kill * c.icd_window * c.heat_kill +
                    p.damp_per_ros_kill * s.kox + p.damp_per_immune_kill * kill_c;
  d(damp, lipid_peroxide) = p.damp_per_ros_kill * s.dkox * u[tumour];
  d(damp, effector) = p.damp_per_immune_kill * kill_e;
  d(damp, antibody) = p.damp_per_immune_kill * kill_a;
  d(damp, damp) = -p.damp_decay - p.damp_per_maturation * mature_z;
  d(damp, immature_dc) = -p.damp_per_maturation * mature_di;

  d(peroxide, tumour) = p.peroxide_source / p.capacity;
  d(peroxide, damaged) = p.peroxide_source / p.capacity;
  d(peroxide, peroxide) = -p.catalase - c.hydroxyl;

  d(lipid_peroxide, peroxide) = p.peroxidation_yield * c.hydroxyl;
  d(lipid_peroxide, lipid_peroxide) = -c.gpx;

  d(immature_dc, immature_dc) = -p.dc_source / p.dc_capacity - mature_di - p.dc_death;
  d(immature_dc, damp) = -mature_z;
  d(mature_dc, immature_dc) = mature_di;
  d(mature_dc, damp) = mature_z;
  d(mature_dc, mature_dc) = -(p.dc_death + p.dc_emigration);

  // Effectors.
  const double priming = u[mature_dc] / (p.expansion_half + u[mature_dc]);
  const double dpriming = p.expansion_half / ((p.expansion_half + u[mature_dc]) *
                                              (p.expansion_half + u[mature_dc]));
  const double exhaustion = p.exhaustion * (1 - s.blockade) * s.sat_c;
  const double suppression = p.suppression * u[m2] / (p.suppression_half + u[m2]);
  d(effector, effector) = p.expansion * priming - p.effector_death -
                          exhaustion * (s.pdl1 + u[effector] * s.dpdl1) - suppression -
                          c.effector_heat_kill;
  d(effector, mature_dc) = p.expansion * u[effector] * dpriming;
  d(effector, tumour) =
      -p.exhaustion * s.pdl1 * (1 - s.blockade) * u[effector] * s.dsat_c;
  d(effector, antibody) = p.exhaustion * s.pdl1 * s.dblockade * u[effector] * s.sat_c;
  d(effector, m2) = -p.suppression * u[effector] * p.suppression_half /
                    ((p.suppression_half + u[m2]) * (p.suppression_half + u[m2]));

  // Macrophages.
  const double k12 = p.polarisation_12 * s.sat_c;
  const double dk12_c = p.polarisation_12 * s.dsat_c;
  const double k21 = c.k21_base + p.damp_repolarisation * s.sat_z;
  const double dk21_z = p.damp_repolarisation * s.dsat_z;
  const double dsource_z = p.macrophage_source * s.dsat_z;
  d(m1, m1) = -k12 - p.macrophage_death;
  d(m1, m2) = k21;
  d(m1, tumour) = -dk12_c * u[m1];
  d(m1, damp) = p.m1_fraction * dsource_z + dk21_z * u[m2];
  d(m2, m1) = k12;
  d(m2, m2) = -k21 - p.macrophage_death;
  d(m2, tumour) = dk12_c * u[m1];
  d(m2, damp) = (1 - p.m1_fraction) * dsource_z - dk21_z * u[m2];

  // Antibody: binding k_on L(E) (C/K) A/(K_A + A).
  const double bound_fraction = u[antibody] / (p.antibody_kd + u[antibody]);
  const double binding = p.antibody_binding / p.capacity;
  d(antibody, antibody) = -c.antibody_influx -
                          binding * s.pdl1 * u[tumour] * s.dblockade -
                          p.antibody_clearance;
  d(antibody, tumour) = -binding * s.pdl1 * bound_fraction;
  d(antibody, effector) = -binding * s.dpdl1 * u[tumour] * bound_fraction;
}
} // namespace immunotherapy
} // namespace ferrotherm
