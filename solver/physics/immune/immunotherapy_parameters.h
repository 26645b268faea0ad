// Parameters of the default immune/ROS model (Immune/MNP immunotherapy): every rate of
// immunotherapy_kinetics.h with its unit, range and source, declared from one table and
// converted to the internal units (s, cells/mm^3, uM, nM); the diffusivities; the
// lymph-node/blood compartments and the distant tumour; the anti-PD-L1 and anti-CTLA-4
// doses, whose plasma level is A_p(t) = sum_i (dose_i / V_d) 2^(-(t - t_i)/t_half) for
// t > t_i (left-continuous: a step that ends at a dose time does not see it; the immune
// steps are cut at the dose times). Anti-CTLA-4 acts in the lymph node, on priming:
// p_L -> p_L (1 + alpha_C b_C), b_C = A_C/(A_C + K_C) (Serre et al. 2016).
#pragma once

#include "physics/immune/immunotherapy_kinetics.h"

#include <deal.II/base/parameter_handler.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
namespace immunotherapy
{
// The lymph node and blood (Kuznetsov-type priming with memory, after Serre et al.
// 2016): dD_L/dt = e_LN int Dm - d_DL D_L, V_b dE_s/dt = (p_L + rho_M M_T) D_L^n/(K_L^n
// + D_L^n) - d_Es V_b E_s - rho_in E_s int w_b, dM_T/dt = f_mem d_Es V_b E_s (1 -
// M_T/M_max) - d_MT M_T.
struct CompartmentParameters
{
  double node_dc_death = 0.5 / 86400, priming = 1e8 / 86400, priming_half = 400,
         priming_hill = 2, memory_boost = 20.0 / 86400,
         blood_effector_death = 0.3 / 86400, blood_volume = 5e6, memory_fraction = 0.05,
         memory_decay = 5e-3 / 86400, memory_capacity = 2e7;
  // The distant, untreated tumour: a lumped volume at body temperature, no iron, fed by
  // the systemic effectors (0: none).
  double distant_volume = 0, distant_initial = 5e5, distant_perfusion = 5e-3;
  // CD4+ T cells of the tumour [cells/mm^3] for the reported CD8+ fraction.
  double other_t_cells = 1610;
  // Anti-CTLA-4: K_C [nM] and the priming gain alpha_C at full blockade.
  double ctla4_kd = 5, ctla4_gain = 2;
};

struct Dose
{
  double time;   // s
  double amount; // nmol
};

struct AntibodySchedule
{
  std::vector<Dose> doses;
  double distribution_volume = 3; // L
  double half_life = 27 * 86400;  // s
  // Plasma level [nM] at time t (just after t: with the doses given at t).
  double plasma_level(double t, bool after_doses_at_t = false) const;
};

struct ModelParameters
{
  Parameters kinetics;
  std::array<double, n_species> diffusivity{}; // m^2/s
  std::array<double, n_species> chemotaxis{};  // up the DAMP gradient [m^2/s]
  CompartmentParameters compartments;
  AntibodySchedule antibody, ctla4;
  // p_L (1 + alpha_C b_C(t)) [cells/s]; after_doses_at_t as in plasma_level.
  double priming_rate(double t, bool after_doses_at_t = false) const;
  // Every dose time of either antibody (sorted).
  std::vector<double> dose_times() const;
};

// In the current section (Immune/MNP immunotherapy).
void declare_parameters(dealii::ParameterHandler &prm);
ModelParameters parse_parameters(dealii::ParameterHandler &prm, double end_time);
} // namespace immunotherapy
} // namespace ferrotherm
