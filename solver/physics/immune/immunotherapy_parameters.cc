// Parameter table of the default immune/ROS model (see immunotherapy_parameters.h).
// Values after Kuznetsov et al. 1994 (BMB 56:295), de Pillis et al. 2005, Lai &
// Friedman 2017 (PLoS ONE 12:e0178479) and the Friedman-group set (cell dispersion,
// DC/CD8 death, D0, mu_TC), Kosinsky et al. 2018 (JITC 6:17), den Breems & Eftimie 2016
// (JTB 390:23), Zanganeh et al. 2016 (Nat Nanotechnol 11:986), O'Neill et al. 2011
// (Ann Biomed Eng 39:570), Sapareto & Dewey 1984 (IJROBP 10:787), Walling 1975 (Acc Chem
// Res 8:125), Hardwick 1957 (Can J Chem 35:428), Szatrowski & Nathan 1991 (Cancer Res
// 51:794), Gao et al. 2007 (Nat Nanotechnol 2:577), Lin, Hsu & Lin 2018 (IJN 13:3529),
// Serre et al. 2016 (Cancer Res 76:4931). [E] marks an estimate or calibration knob.
#include "physics/immune/immunotherapy_parameters.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "core/time_value.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ferrotherm
{
namespace immunotherapy
{
using dealii::ParameterHandler;
using dealii::Patterns::Double;

namespace
{
constexpr double per_day = 1.0 / 86400;

// One scalar parameter of `Owner`: where it is, its default in the unit shown, the
// factor to the internal unit, the admissible range (in the unit shown) and its source.
template <class Owner> struct Entry
{
  const char *section, *name, *value, *unit;
  double to_internal;
  double Owner::*member;
  double lower, upper;
  const char *source;
};

const Entry<Parameters> entries[] = {
    {"Tumour", "Carrying capacity", "1e6", "cells/mm^3", 1, &Parameters::capacity, 1, 1e7,
     "K ~ 1e9 cells/cm^3 (de Pillis et al. 2005)"},
    {"Tumour", "Growth rate", "0.3", "1/d", per_day, &Parameters::growth, 0, 10,
     "r_C: 0.18 (Kuznetsov 1994) to 0.4 (Kosinsky 2018)"},
    {"Tumour", "Recovery rate", "0.5", "1/d", per_day, &Parameters::recovery, 0, 100,
     "k_rec of damaged cells [E] (O'Neill 2011: death over 24-48 h)"},
    {"Tumour", "Lysis rate", "1", "1/d", per_day, &Parameters::lysis, 0, 100,
     "k_dV, secondary necrosis of damaged cells [E]"},
    {"Heat kill", "Rate at 43 C", "0.04", "1/min", 1.0 / 60, &Parameters::kill_rate_43, 0,
     10,
     "k43 of k_h = k43 R^(43 - T), R = 0.5 / 0.25 (Sapareto & Dewey 1984); 0.02-0.08 "
     "by cell line [E]"},
    {"ROS", "Peroxide source", "3", "uM/s", 1, &Parameters::peroxide_source, 0, 1e3,
     "s_H at C = K: <= 0.5 nmol/1e4 cells/h (Szatrowski & Nathan 1991)"},
    {"ROS", "Catalase rate", "10", "1/s", 1, &Parameters::catalase, 0, 1e4,
     "k_cat, H2O2 removal by catalase/GPx/Prx, 1-100 [E]"},
    {"ROS", "Fenton rate at 25 C", "70", "1/(M s)", 1, &Parameters::fenton_25, 0, 1e4,
     "k_F: 63 (Rigg 1954) to 76 (Walling 1975)"},
    {"ROS", "Labile iron fraction", "1e-3", "1", 1, &Parameters::labile_fraction, 0, 1,
     "chi, bioavailable Fe2+ of the particle iron, 1e-4-1e-2 [E]"},
    {"ROS", "Nanozyme activity at 37 C", "1e-3", "1/(s mg/mL)", 1,
     &Parameters::nanozyme_37, 0, 1e3,
     "v_nz, peroxidase-like Fe3O4 activity, linear at uM H2O2 (Gao 2007) [E]"},
    {"ROS", "Activation energy", "37e3", "J/mol", 1, &Parameters::activation_energy, 0,
     2e5, "Ea of the Fenton reaction, 35-40 kJ/mol (Hardwick 1957)"},
    {"ROS", "Peroxidation yield", "10", "1", 1, &Parameters::peroxidation_yield, 0, 1e3,
     "y_P, lipid peroxide per hydroxyl radical (chain propagation) [E]"},
    {"ROS", "GPX rate at 37 C", "1e-2", "1/s", 1, &Parameters::gpx_37, 0, 1e3,
     "k_GPX37, GSH/GPX4 clearance of lipid peroxide, P follows the session within "
     "minutes [E]"},
    {"ROS", "GPX heat loss", "1", "1/K", 1, &Parameters::gpx_heat_loss, 0, 100,
     "beta of k_GPX = k_GPX37/(1 + beta <T - 41>+) [E]; with the ferroptosis rate "
     "calibrated to 83% vs 37% CRT+ cells, MTD vs heat only at 43 C"},
    {"ROS", "Ferroptosis threshold", "1", "uM", 1, &Parameters::ferroptosis_threshold, 0,
     1e6, "P_th [E]"},
    {"ROS", "Ferroptosis half-saturation", "1", "uM", 1, &Parameters::ferroptosis_half,
     1e-12, 1e6, "K_P [E]"},
    {"ROS", "Ferroptosis rate", "150", "1/d", per_day, &Parameters::ferroptosis_rate, 0,
     1e3,
     "k_P, the largest ferroptotic commitment rate [E]: 150/d commits 85% of the "
     "cells in a 30-min session at 43 C with 2 mg Fe/mL where heat alone commits 39% "
     "(83% vs 37% CRT+ cells, MTD vs heat only)"},
    {"DAMP", "Yield per heat-killed cell", "1e-5", "mm^3/cell", 1,
     &Parameters::damp_per_heat_kill, 0, 1, "eps_h0 [E]"},
    {"DAMP", "Optimal temperature", "44", "deg C", 1, &Parameters::optimal_temperature,
     37, 60, "T*, the ICD window 43-45 C (Lin, Hsu & Lin 2018)"},
    {"DAMP", "Window width", "3", "K", 1, &Parameters::window_width, 0.1, 20,
     "s_T of eps_h = eps_h0 exp(-(T - T*)^2/(2 s_T^2)) [E]"},
    {"DAMP", "Yield per ROS-killed cell", "2.2e-5", "mm^3/cell", 1,
     &Parameters::damp_per_ros_kill, 0, 1,
     "eps_ox = 2.2 eps_h0: 83% vs 37% CRT+ cells, MTD vs heat only"},
    {"DAMP", "Yield per immune-killed cell", "0.5e-5", "mm^3/cell", 1,
     &Parameters::damp_per_immune_kill, 0, 1, "eps_E [E]"},
    {"DAMP", "Decay rate", "30", "1/d", per_day, &Parameters::damp_decay, 0, 1e4,
     "delta_Z, 18-59 (Friedman-group models)"},
    {"DAMP", "Half-saturation", "1", "1", 1, &Parameters::damp_half, 1e-12, 1e6,
     "K_Z, the DAMP unit"},
    {"DAMP", "Consumption per maturing DC", "0.01", "mm^3/cell", 1,
     &Parameters::damp_per_maturation, 0, 1,
     "y_D, DAMP taken up per dendritic cell that matures [E]"},
    {"Dendritic cells", "Source", "4", "cells/(mm^3 d)", per_day, &Parameters::dc_source,
     0, 1e6, "s_D [E]"},
    {"Dendritic cells", "Capacity", "20", "cells/mm^3", 1, &Parameters::dc_capacity, 1e-6,
     1e6, "D0 = 2e-5 g/cm^3 at 1 ng/cell (Friedman-group set)"},
    {"Dendritic cells", "Maturation rate", "2", "1/d", per_day,
     &Parameters::dc_maturation, 0, 1e3, "lambda_D, 1.2-4 (Lai & Friedman 2017)"},
    {"Dendritic cells", "Death rate", "0.1", "1/d", per_day, &Parameters::dc_death, 0,
     1e3, "d_D (Friedman-group set)"},
    {"Dendritic cells", "Emigration rate", "0.7", "1/d", per_day,
     &Parameters::dc_emigration, 0, 1e3, "e_LN to the lymph node, 0.5-1 [E]"},
    {"T cells", "Infiltration", "0.05", "1", 1, &Parameters::infiltration, 0, 1,
     "rho_in, fraction of the perfused systemic effectors entering the tissue "
     "(chemokine-driven recruitment of primed effectors) [E]"},
    {"T cells", "Expansion rate", "1", "1/d", per_day, &Parameters::expansion, 0, 100,
     "p_E <= 3 (Kosinsky 2018)"},
    {"T cells", "Expansion half-saturation", "1", "cells/mm^3", 1,
     &Parameters::expansion_half, 1e-12, 1e9, "K_D, mature DCs [E]"},
    {"T cells", "Death rate", "0.18", "1/d", per_day, &Parameters::effector_death, 0, 100,
     "d_E (Friedman-group set)"},
    {"T cells", "Kill rate", "5", "1/d", per_day, &Parameters::effector_kill, 0, 100,
     "mu_E, tumour cells killed per effector per day at C >> K_C: 2-16 in vivo (Halle "
     "et al. 2016, Immunity 44:233)"},
    {"T cells", "Tumour half-saturation", "4e5", "cells/mm^3", 1,
     &Parameters::tumour_half, 1e-12, 1e9, "K_C = 0.4 g/cm^3 (Friedman-group set)"},
    {"T cells", "Exhaustion rate", "0.25", "1/d", per_day, &Parameters::exhaustion, 0,
     100,
     "omega_x, PD-L1-driven inactivation [E], calibrated to the CD8+ fraction of the "
     "T cells 3 days after three MTD sessions, 55.4% -> 64.5% with anti-PD-L1 "
     "(55.5% -> 63.4% at the defaults)"},
    {"T cells", "PD-L1 basal", "1", "1", 1, &Parameters::pdl1_basal, 0, 1e6, "L0 [E]"},
    {"T cells", "PD-L1 induced", "2", "1", 1, &Parameters::pdl1_induced, 0, 1e6,
     "L1, IFN-gamma-driven up-regulation [E]"},
    {"T cells", "PD-L1 half-saturation", "1e3", "cells/mm^3", 1, &Parameters::pdl1_half,
     1e-12, 1e9, "K_LE [E]"},
    {"T cells", "Checkpoint scale", "1", "1", 1, &Parameters::checkpoint_scale, 1e-12,
     1e6, "K_Q of Phi = 1/(1 + L (1 - b)/K_Q) (Lai & Friedman 2017)"},
    {"T cells", "Suppression rate", "0.5", "1/d", per_day, &Parameters::suppression, 0,
     100, "gamma_2, M2/Treg/MDSC suppression [E]"},
    {"T cells", "Suppression half-saturation", "100", "cells/mm^3", 1,
     &Parameters::suppression_half, 1e-12, 1e9, "K_M2 [E]"},
    {"T cells", "Heat kill above 45 C", "1e-3", "1/(K s)", 1,
     &Parameters::effector_heat_kill, 0, 1, "kappa_T [E]"},
    {"Macrophages", "Source", "5", "cells/(mm^3 d)", per_day,
     &Parameters::macrophage_source, 0, 1e6, "s_M0 [E]"},
    {"Macrophages", "M1 fraction of recruits", "0.3", "1", 1, &Parameters::m1_fraction, 0,
     1, "f_1 [E]"},
    {"Macrophages", "Polarisation M1 to M2", "0.2", "1/d", per_day,
     &Parameters::polarisation_12, 0, 100,
     "k12_0, tumour-driven (den Breems & Eftimie 2016) [E]"},
    {"Macrophages", "Polarisation M2 to M1", "0.05", "1/d", per_day,
     &Parameters::polarisation_21, 0, 100, "k21_0 [E]"},
    {"Macrophages", "Iron repolarisation", "0.3", "1/d", per_day,
     &Parameters::iron_repolarisation, 0, 100,
     "k_Fe, iron-driven M2 -> M1 shift (Zanganeh 2016), 0.1-0.5 [E]"},
    {"Macrophages", "Iron half-saturation", "0.5", "mg/mL", 1, &Parameters::iron_half,
     1e-12, 1e3, "K_Fe, 0.1-1 [E]"},
    {"Macrophages", "DAMP repolarisation", "0.2", "1/d", per_day,
     &Parameters::damp_repolarisation, 0, 100, "k_Z, TLR signalling [E]"},
    {"Macrophages", "Death rate", "0.03", "1/d", per_day, &Parameters::macrophage_death,
     0, 100, "d_M, 0.015-0.05 [E]"},
    {"Macrophages", "Kill rate", "0.2", "1/d", per_day, &Parameters::macrophage_kill, 0,
     100, "mu_M, tumour cells killed per M1 macrophage per day at C >> K_C [E]"},
    {"Anti-PD-L1", "Extravasation", "0.05", "1", 1, &Parameters::antibody_extravasation,
     0, 1, "k_v, fraction of the perfused plasma level reaching the tissue per w_b [E]"},
    {"Anti-PD-L1", "Binding rate", "0.5", "nM/d", per_day, &Parameters::antibody_binding,
     0, 1e6, "k_on, consumption by PD-L1 at C = K [E]"},
    {"Anti-PD-L1", "Dissociation constant", "0.4", "nM", 1, &Parameters::antibody_kd,
     1e-12, 1e6, "K_A of atezolizumab"},
    {"Anti-PD-L1", "Clearance rate", "0.1", "1/d", per_day,
     &Parameters::antibody_clearance, 0, 100, "delta_A in tissue [E]"}};

const Entry<CompartmentParameters> compartment_entries[] = {
    {"Lymph node", "DC death in the node", "0.5", "1/d", per_day,
     &CompartmentParameters::node_dc_death, 0, 100, "d_DL [E]"},
    {"Lymph node", "Priming rate", "1e8", "cells/d", per_day,
     &CompartmentParameters::priming, 0, 1e15,
     "p_L, effectors produced at saturation (up to 67 primed effectors per mm^3 of "
     "blood, a few % of the CD8+ T cells) [E]"},
    {"Lymph node", "Priming half-saturation", "400", "cells", 1,
     &CompartmentParameters::priming_half, 1e-12, 1e15,
     "K_L, mature DCs in the node: one MTD session brings ~2000, mild heat ~30 [E]"},
    {"Lymph node", "Priming Hill exponent", "2", "1", 1,
     &CompartmentParameters::priming_hill, 1, 8,
     "n of D_L^n/(K_L^n + D_L^n): T-cell activation needs a threshold of antigen "
     "presentation (a sigmoidal dose response) [E]"},
    {"Lymph node", "Memory boost", "20", "1/d", per_day,
     &CompartmentParameters::memory_boost, 0, 100,
     "rho_M, effectors per memory cell per day on antigen: a recall response ~3x the "
     "primary one two weeks after priming [E]"},
    {"Lymph node", "Effector death in blood", "0.3", "1/d", per_day,
     &CompartmentParameters::blood_effector_death, 0, 100, "d_Es [E]"},
    {"Lymph node", "Blood volume", "5e6", "mm^3", 1, &CompartmentParameters::blood_volume,
     1, 1e8, "V_b, 5 L in an adult"},
    {"Lymph node", "Memory fraction", "0.05", "1", 1,
     &CompartmentParameters::memory_fraction, 0, 1, "f_mem, 0.05-0.1 [E]"},
    {"Lymph node", "Memory capacity", "2e7", "cells", 1,
     &CompartmentParameters::memory_capacity, 1, 1e15,
     "M_max of the memory formation f_mem d_Es V_b E_s (1 - M_T/M_max): the "
     "cytokine niche (IL-7/IL-15) bounds the memory pool, so the recall loop "
     "cannot run away under chronic antigen [E]"},
    {"Lymph node", "Memory decay", "5e-3", "1/d", per_day,
     &CompartmentParameters::memory_decay, 0, 100, "d_MT, 1e-3-1e-2 [E]"},
    {"T cells", "Other T cells", "1610", "cells/mm^3", 1,
     &CompartmentParameters::other_t_cells, 0, 1e7,
     "CD4+ helper and regulatory T cells in the tumour, for the CD8+ fraction "
     "E/(E + R) (not a species): three MTD sessions give 55.4% CD8+ on day 7 [E]"},
    {"Anti-CTLA-4", "Dissociation constant", "5", "nM", 1,
     &CompartmentParameters::ctla4_kd, 1e-6, 1e6,
     "K_C of the blockade b_C = A_C/(A_C + K_C): ipilimumab binds CTLA-4 with a K_D of a "
     "few nM [E]"},
    {"Anti-CTLA-4", "Priming enhancement", "2", "1", 1,
     &CompartmentParameters::ctla4_gain, 0, 100,
     "alpha_C of p_L (1 + alpha_C b_C): blockade of CTLA-4 on the T cells in the node "
     "lifts the B7 competition and multiplies priming (Serre et al. 2016: 1-3) [E]"},
    {"Distant tumour", "Volume", "0", "mm^3", 1, &CompartmentParameters::distant_volume,
     0, 1e7, "lumped untreated tumour (0: none)"},
    {"Distant tumour", "Initial density", "5e5", "cells/mm^3", 1,
     &CompartmentParameters::distant_initial, 0, 1e7, "its viable cells at t = 0"},
    {"Distant tumour", "Perfusion", "5e-3", "1/s", 1,
     &CompartmentParameters::distant_perfusion, 0, 1, "its w_b"}};

// The diffusivities (m^2/s) by species and section.
struct DiffusivityEntry
{
  const char *section, *name;
  Species species;
  const char *value, *source;
};

const DiffusivityEntry diffusivity_entries[] = {
    {"Tumour", "Diffusivity of tumour cells", tumour, "1e-13",
     "cell dispersion; <= 1e-12 [E]"},
    {"Tumour", "Diffusivity of damaged cells", damaged, "0", "damaged cells do not move"},
    {"DAMP", "Diffusivity", damp, "5e-11", "HMGB1 (25 kDa) 3e-11-1e-10 [E]; IL-12 7e-11"},
    {"ROS", "Diffusivity of H2O2", peroxide, "0",
     "1.8e-9 at 37 C, but H2O2 travels only sqrt(D/k_cat) = 13 um before removal: on "
     "mm cells with steps of minutes it is local (split diffusion over a whole step "
     "would spread it over mm); give it only on a um-resolved mesh with short steps"},
    {"ROS", "Diffusivity of lipid peroxide", lipid_peroxide, "0", "membrane-bound"},
    {"Dendritic cells", "Diffusivity of immature DCs", immature_dc, "1e-11",
     "8.64e-3 cm^2/d (Friedman-group set)"},
    {"Dendritic cells", "Diffusivity of mature DCs", mature_dc, "1e-11",
     "as immature DCs"},
    {"T cells", "Diffusivity", effector, "1e-12", "5-10 um/min crawling [E]"},
    {"Macrophages", "Diffusivity of M1", m1, "1e-12", "[E]"},
    {"Macrophages", "Diffusivity of M2", m2, "1e-12", "[E]"},
    {"Anti-PD-L1", "Diffusivity", antibody, "1e-11",
     "IgG (150 kDa) in tumour interstitium [E]"}};

// Chemotaxis up the DAMP gradient (HMGB1 attracts immature DCs, Yang et al. 2007, J
// Leukoc Biol 81:59; T cells follow the chemokines of immunogenic death): the
// sensitivity chi [m^2/s per DAMP unit] by species.
struct ChemotaxisEntry
{
  const char *section;
  Species species;
  const char *value, *source;
};

const ChemotaxisEntry chemotaxis_entries[] = {
    {"Dendritic cells", immature_dc, "1e-10",
     "chi_D of immature DCs up the DAMP gradient: 5 um/min at a gradient of 1 K_Z/mm "
     "[E]"},
    {"T cells", effector, "1e-10",
     "chi_E of CD8+ T cells up the DAMP gradient: 5 um/min at 1 K_Z/mm, within the "
     "5-10 um/min crawling speeds [E]"}};

// The antibodies given on a schedule: their dose syntax and plasma kinetics.
struct ScheduleEntry
{
  const char *section, *doses, *volume, *volume_source, *half_life, *half_life_source;
};

const ScheduleEntry schedule_entries[] = {
    {"Anti-PD-L1",
     "Systemic doses 'time: amount; ...' [amount in nmol, e.g. 1200 mg of a 145 kDa "
     "antibody = 8300 nmol], e.g. '1 d: 8300; 4 d: 8300'.",
     "3", "", "27 d", "t_half (atezolizumab ~27 d in patients, 2-5 d in mice)."},
    {"Anti-CTLA-4",
     "Intravenous doses 'time: amount; ...' [amount in nmol, e.g. ipilimumab 3 mg/kg x "
     "70 kg = 210 mg of a 148 kDa antibody = 1420 nmol], e.g. '1 d: 1420'.",
     "7.2", " (ipilimumab: steady-state volume 7.21 L, Yervoy label)", "15.4 d",
     "t_half (ipilimumab 15.4 d, Yervoy label)."}};

std::string range_text(double lower, double upper)
{
  std::ostringstream text;
  text << "in [" << lower << ", " << upper << "]";
  return text.str();
}

// The doses, V_d and t_half of the antibody of `section`.
AntibodySchedule parse_schedule(ParameterHandler &prm, const std::string &section,
                                double end_time)
{
  const std::string base = "Immune/MNP immunotherapy/" + section + "/";
  AntibodySchedule schedule;
  prm.enter_subsection(section);
  const std::string doses = base + "Doses";
  double previous = -1;
  for (const auto &[time_text, amount_text] :
       parse_key_value_list(prm.get("Doses"), doses))
  {
    const double time = parse_time(time_text, doses);
    const double amount = parse_double(amount_text, doses);
    if (time < 0)
      throw_input_error(doses, "the dose at '" + time_text + "' comes before the start");
    if (!(time > previous))
      throw_input_error(doses, "the doses must be in time order, found '" + time_text +
                                   "' after " + std::to_string(previous) + " s");
    if (time > end_time)
      throw_input_error(doses,
                        "the dose at '" + time_text + "' comes after the End time");
    check_range(amount, 0, 1e9, doses + " (amount at " + time_text + ")", "nmol",
                LowerBound::exclusive);
    schedule.doses.push_back({time, amount});
    previous = time;
  }
  schedule.distribution_volume = prm.get_double("Distribution volume");
  check_range(schedule.distribution_volume, 0, 100, base + "Distribution volume", "L",
              LowerBound::exclusive);
  schedule.half_life = parse_time(prm.get("Plasma half-life"), base + "Plasma half-life");
  check_range(schedule.half_life, 0, 1e9, base + "Plasma half-life", "s",
              LowerBound::exclusive);
  prm.leave_subsection();
  return schedule;
}
} // namespace

double ModelParameters::priming_rate(double t, bool after_doses_at_t) const
{
  const double level = ctla4.plasma_level(t, after_doses_at_t);
  return compartments.priming *
         (1 + compartments.ctla4_gain * level / (level + compartments.ctla4_kd));
}

std::vector<double> ModelParameters::dose_times() const
{
  std::vector<double> times;
  for (const AntibodySchedule *schedule : {&antibody, &ctla4})
    for (const Dose &dose : schedule->doses)
      times.push_back(dose.time);
  std::sort(times.begin(), times.end());
  return times;
}

double AntibodySchedule::plasma_level(double t, bool after_doses_at_t) const
{
  double level = 0;
  for (const Dose &dose : doses)
    if (t > dose.time || (after_doses_at_t && t == dose.time))
      level +=
          dose.amount / distribution_volume * std::exp2(-(t - dose.time) / half_life);
  return level;
}

void declare_parameters(ParameterHandler &prm)
{
  std::vector<std::string> sections;
  const auto add_sections = [&sections](const auto &table)
  {
    for (const auto &e : table)
      if (std::find(sections.begin(), sections.end(), e.section) == sections.end())
        sections.push_back(e.section);
  };
  add_sections(entries);
  add_sections(compartment_entries);
  for (const std::string &section : sections)
  {
    prm.enter_subsection(section);
    const auto declare = [&](const auto &table)
    {
      for (const auto &e : table)
        if (section == e.section)
          prm.declare_entry(e.name, e.value, Double(),
                            std::string("[") + e.unit + "], " +
                                range_text(e.lower, e.upper) + ". " + e.source + ".");
    };
    declare(entries);
    declare(compartment_entries);
    for (const auto &e : diffusivity_entries)
      if (section == e.section)
        prm.declare_entry(e.name, e.value, Double(),
                          std::string("[m^2/s], in [0, 1e-5]. ") + e.source + ".");
    for (const auto &e : chemotaxis_entries)
      if (section == e.section)
        prm.declare_entry("Chemotaxis", e.value, Double(),
                          std::string("[m^2/s per DAMP unit], in [0, 1e-5]. ") +
                              e.source + ".");
    for (const auto &schedule : schedule_entries)
      if (section == schedule.section)
      {
        prm.declare_entry("Doses", "", dealii::Patterns::Anything(),
                          std::string(schedule.doses) + " " + time_syntax);
        prm.declare_entry("Distribution volume", schedule.volume, Double(),
                          std::string("V_d of the plasma level [L], in (0, 100]") +
                              schedule.volume_source + ".");
        prm.declare_entry("Plasma half-life", schedule.half_life,
                          dealii::Patterns::Anything(),
                          std::string(schedule.half_life_source) + " " + time_syntax);
      }
    prm.leave_subsection();
  }
}

ModelParameters parse_parameters(ParameterHandler &prm, double end_time)
{
  const std::string base = "Immune/MNP immunotherapy/";
  ModelParameters model;
  auto read = [&](const char *section, const char *name, const char *unit, double lower,
                  double upper)
  {
    prm.enter_subsection(section);
    const double value = prm.get_double(name);
    prm.leave_subsection();
    check_range(value, lower, upper, base + section + "/" + name, unit);
    return value;
  };
  const auto read_table = [&read](const auto &table, auto &owner)
  {
    for (const auto &e : table)
      owner.*e.member = read(e.section, e.name, e.unit, e.lower, e.upper) * e.to_internal;
  };
  read_table(entries, model.kinetics);
  read_table(compartment_entries, model.compartments);
  for (const auto &e : diffusivity_entries)
    model.diffusivity[e.species] = read(e.section, e.name, "m^2/s", 0, 1e-5);
  for (const auto &e : chemotaxis_entries)
    model.chemotaxis[e.species] = read(e.section, "Chemotaxis", "m^2/s", 0, 1e-5);

  model.antibody = parse_schedule(prm, "Anti-PD-L1", end_time);
  model.ctla4 = parse_schedule(prm, "Anti-CTLA-4", end_time);
  return model;
}
} // namespace immunotherapy
} // namespace ferrotherm
