// ImmunotherapyKinetics: the local reaction terms of the default immune/ROS model
// (Immune/Model = mnp immunotherapy), per node, with their analytic Jacobian. Species
// (cells/mm^3 unless noted): viable tumour cells C, damaged/committed cells V, DAMP
// signal Z [HMGB1-equivalent, 1 = K_Z], H2O2 H [uM], lipid-peroxide burden P [uM],
// immature and mature dendritic cells Di, Dm, CD8+ effector T cells E, macrophages M1,
// M2, anti-PD-L1 A [nM]. With N = C + V + Di + Dm + E + M1 + M2, s(C) = C/(K_C + C):
//   C'  = r_C C (1 - N/K) - (k_h(T) + k_ox(P)) C + k_rec V - mu_E Phi E s(C)
//         - mu_M M1 s(C)
//   V'  = (k_h + k_ox) C - (k_rec + k_dV) V
//   Z'  = eps_h(T) k_h C + eps_ox k_ox C + eps_E mu_E Phi E s(C) - delta_Z Z - y_D u_D
//   H'  = s_H (C + V)/K - k_cat H - g(T, c) H,  g = k_F(T) chi [Fe] + v_nz(T) c
//   P'  = y_P g H - k_GPX(T) P                   (the hydroxyl radical is algebraic)
//   Di' = s_D (1 - Di/D0) - u_D - d_D Di,  u_D = lambda_D Di Z/(K_Z + Z)
//   Dm' = u_D - (d_D + e_LN) Dm
//   E'  = rho_in w_b E_s + p_E E Dm/(K_D + Dm) - d_E E - omega_x L (1 - b) E s(C)
//         - gamma_2 M2 E/(K_M2 + M2) - kappa_T <T - 45>+ E
//   M1' = s_M f_1 + k21 M2 - k12 M1 - d_M M1,  M2' = s_M (1 - f_1) + k12 M1 - k21 M2
//         - d_M M2,  k12 = k12_0 s(C), k21 = k21_0 + k_Fe c/(K_Fe + c) + k_Z Z/(K_Z + Z),
//         s_M = s_M0 (1 + Z/(K_Z + Z))
//   A'  = k_v w_b (A_p(t) - A) - k_on L (C/K) A/(K_A + A) - delta_A A + R_A
// with the heat kill k_h = k43 R^(43 - T) (Sapareto & Dewey 1984), the ferroptotic rate
// k_ox = k_P q/(K_P + q), q = <P - P_th>+, the ICD window eps_h = eps_h0 exp(-(T -
// T*)^2 / (2 s_T^2)) (Lin, Hsu & Lin 2018), Arrhenius Fenton and nanozyme rates (Ea
// 37 kJ/mol; Walling 1975, Hardwick 1957), heat-depleted GPX4 capacity k_GPX =
// k_GPX37/(1 + beta <T - 41>+), PD-L1 L = L0 + L1 E/(K_LE + E), blockade b = A/(A +
// K_A) and kill modifier Phi = 1/(1 + L (1 - b)/K_Q) (Lai & Friedman 2017), the M1/M2
// switch after den Breems & Eftimie 2016 with the iron-driven M2 -> M1 shift of
// Zanganeh et al. 2016, and effector dynamics after Kuznetsov et al. 1994. Inputs per
// node: T [deg C], iron c [mg Fe/mL = kg/m^3], perfusion w_b [1/s], the systemic
// effector level E_s [cells/mm^3 of blood], the plasma antibody A_p [nM] and the
// antibody R_A [nM/s] released from particle-borne cargo.
// The system is quasi-positive: a species' rate is >= 0 where the species is 0, so
// the exact solution stays non-negative.
#pragma once

#include <array>

namespace ferrotherm
{
namespace immunotherapy
{
enum Species : unsigned int
{
  tumour,         // C
  damaged,        // V
  damp,           // Z
  peroxide,       // H
  lipid_peroxide, // P
  immature_dc,    // Di
  mature_dc,      // Dm
  effector,       // E
  m1,             // M1
  m2,             // M2
  antibody,       // A
  n_species
};

// Names of the species as published fields and statistics columns.
extern const std::array<const char *, n_species> species_names;
// Their units, for the documentation of the fields.
extern const std::array<const char *, n_species> species_units;

// Every rate in 1/s (converted from the per-day values of the parameter file),
// densities in cells/mm^3, H and P in uM, A in nM.
struct Parameters
{
  // Tumour
  double capacity = 1e6, growth = 0.3 / 86400, recovery = 0.5 / 86400,
         lysis = 1.0 / 86400;
  // Heat kill
  double kill_rate_43 = 0.04 / 60;
  // ROS
  double peroxide_source = 3, catalase = 10, fenton_25 = 70, labile_fraction = 1e-3,
         nanozyme_37 = 1e-3, activation_energy = 37e3, peroxidation_yield = 10,
         gpx_37 = 1e-2, gpx_heat_loss = 1, ferroptosis_threshold = 1,
         ferroptosis_half = 1, ferroptosis_rate = 150.0 / 86400;
  // DAMP
  double damp_per_heat_kill = 1e-5, optimal_temperature = 44, window_width = 3,
         damp_per_ros_kill = 2.2e-5, damp_per_immune_kill = 0.5e-5,
         damp_decay = 30.0 / 86400, damp_half = 1, damp_per_maturation = 0.01;
  // Dendritic cells
  double dc_source = 4.0 / 86400, dc_capacity = 20, dc_maturation = 2.0 / 86400,
         dc_death = 0.1 / 86400, dc_emigration = 0.7 / 86400;
  // CD8+ T cells
  double infiltration = 0.05, expansion = 1.0 / 86400, expansion_half = 1,
         effector_death = 0.18 / 86400, effector_kill = 5.0 / 86400, tumour_half = 4e5,
         exhaustion = 0.25 / 86400, pdl1_basal = 1, pdl1_induced = 2, pdl1_half = 1e3,
         checkpoint_scale = 1, suppression = 0.5 / 86400, suppression_half = 100,
         effector_heat_kill = 1e-3;
  // Macrophages
  double macrophage_source = 5.0 / 86400, m1_fraction = 0.3,
         polarisation_12 = 0.2 / 86400, polarisation_21 = 0.05 / 86400,
         iron_repolarisation = 0.3 / 86400, iron_half = 0.5,
         damp_repolarisation = 0.2 / 86400, macrophage_death = 0.03 / 86400,
         macrophage_kill = 0.2 / 86400;
  // Anti-PD-L1
  double antibody_extravasation = 0.05, antibody_binding = 0.5 / 86400, antibody_kd = 0.4,
         antibody_clearance = 0.1 / 86400;
};

struct Inputs
{
  double temperature = 37;     // deg C
  double iron = 0;             // mg Fe/mL
  double perfusion = 0;        // 1/s
  double effectors_blood = 0;  // cells/mm^3
  double antibody_plasma = 0;  // nM
  double antibody_release = 0; // nM/s, released from particle-borne cargo
};

// Temperature- and iron-dependent coefficients, evaluated once per node and input.
struct Coefficients
{
  double heat_kill, icd_window, hydroxyl, gpx, effector_heat_kill, k21_base,
      effector_influx, antibody_influx;
  Coefficients(const Parameters &p, const Inputs &in);
};

// rates[k] = f_k(u).
void rates(const Parameters &p, const Inputs &in, const Coefficients &c, const double *u,
           double *f);

// jacobian[i * n_species + j] = d f_i / d u_j.
void jacobian(const Parameters &p, const Inputs &in, const Coefficients &c,
              const double *u, double *jacobian);

// The ferroptotic death rate k_ox(P) [1/s].
double ferroptosis_rate(const Parameters &p, double lipid_peroxide);
} // namespace immunotherapy
} // namespace ferrotherm
