// MnpImmunotherapy (Immune/Model = mnp immunotherapy): the default immune/ROS model of
// MNP hyperthermia with immunotherapy. The 11 species of immunotherapy_kinetics.h
// react at the nodes (compiled kinetics, analytic Jacobian, the SDIRK2 engine of
// reaction_diffusion_system.h) and diffuse (no flux on the boundary), immature DCs and
// CD8+ T cells also drifting up the DAMP gradient (chemotaxis); they read the
// temperature, the iron, the perfusion w_b(T) and the anti-PD-L1 released from
// particle-borne cargo (cargo_release_rate, when transport carries one) by name. The
// lymph-node/blood compartments (immunotherapy_parameters.h) and a lumped distant
// tumour are global state coupled through region integrals; the antibody the tissues
// hold above the plasma level returns to the plasma, dR/dt = -(ln 2/t_half) R +
// k_v int w_b <A - A_p>+ dV (trapezoidal rule per step). Over each step (t, t + dt]
// the tissue sees E_s extrapolated linearly from the last two levels; then the
// compartments advance by the trapezoidal rule (h = dt/2) with int Dm at both ends:
//   D_L^{n+1} = D_L^n + h (e_LN (I^n + I^{n+1}) - d_DL (D_L^n + D_L^{n+1})),
//   V_b E_s^{n+1} = V_b E_s^n + h (P^n + P^{n+1} - d_Es V_b (E_s^n + E_s^{n+1}))
//                   - dt rho_in I_w E_s(t + h),   P = (p_L(t) + rho_M M_T) x/(1 + x),
//   x = (D_L/K_L)^n, p_L(t) = p_L (1 + alpha_C b_C(t)) with the anti-CTLA-4 blockade,
//   M_T^{n+1} = M_T^n + h (F(E_s^n, M_T^n) + F(E_s^{n+1}, M_T^{n+1}) - d_MT (M_T^n +
//   M_T^{n+1})),  F = f_mem d_Es V_b E_s (1 - M_T/M_max) (the memory niche),
// where E_s(t + h) is the extrapolated mid-step level the tissue received (so the
// effectors leaving the blood are those entering the tissue and the distant tumour), and
// I_w = int w_b dV over the mesh plus the distant tumour's w_b V_2. The distant tumour's
// cells C_2 and effectors E_2 follow the kinetics at 37 C without iron (trapezoidal
// rule). Second order in dt (measured against an ODE reference); the step must stay
// below 1/(fastest compartment rate), which keeps the trapezoidal rule positive.
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/nodal_projection.h"
#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/state_archive.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
#include "core/tissue_database.h"
#include "physics/immune/immune_model.h"
#include "physics/immune/immunotherapy_kinetics.h"
#include "physics/immune/immunotherapy_parameters.h"
#include "physics/immune/reaction_diffusion_system.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <algorithm>
#include <cmath>

namespace ferrotherm
{
namespace
{
using namespace dealii;
namespace im = immunotherapy;

constexpr double mm3_per_m3 = 1e9;
constexpr double nM_per_nmol_per_m3 = 1e-3; // 1 nmol/m^3 = 1e-3 nmol/L
constexpr double litres_per_m3 = 1e3, litres_per_mm3 = 1e-6;

class MnpImmunotherapy : public ImmuneModel
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("MNP immunotherapy");
    prm.declare_entry("Time step", "1 h", Patterns::Anything(),
                      "Step of the reaction-diffusion splitting, in [1e-3 s, 1 d] and "
                      "below 1/(fastest lymph node/blood rate). " +
                          time_syntax);
    prm.declare_entry("Initial tumour cells", "tumour: 5e5", Patterns::Anything(),
                      "Viable tumour cells at t = 0 per tissue 'name: density; ...' "
                      "[cells/mm^3, at most the carrying capacity]; other tissues start "
                      "without tumour cells. Immature DCs and macrophages start at their "
                      "tumour-free homeostasis, the other species at 0.");
    im::declare_parameters(prm);
    // 1e-6: on the 21-day demo the target's tumour cells, ICD fraction and CD8+ density
    // agree with 1e-8 to 5 digits at a fifth of the cost.
    ReactionDiffusionSystem::declare_parameters(prm, "1e-6");
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &) override
  {
    const std::string section = "Immune/MNP immunotherapy/";
    prm.leave_subsection();
    prm.enter_subsection("Treatment schedule");
    const double end_time =
        parse_time(prm.get("End time"), "Treatment schedule/End time");
    prm.leave_subsection();
    prm.enter_subsection("Immune");
    prm.enter_subsection("MNP immunotherapy");
    time_step = parse_time(prm.get("Time step"), section + "Time step");
    check_range(time_step, 1e-3, 86400, section + "Time step", "s");
    initial_tumour.clear();
    for (const auto &[name, value] : parse_key_value_list(
             prm.get("Initial tumour cells"), section + "Initial tumour cells"))
      initial_tumour.emplace_back(name,
                                  parse_double(value, section + "Initial tumour cells"));
    model = im::parse_parameters(prm, end_time);
    for (const auto &[name, density] : initial_tumour)
      check_range(density, 0, model.kinetics.capacity,
                  section + "Initial tumour cells (" + name + ")", "cells/mm^3");
    // The trapezoidal rule of the compartments stays positive for dt * rate < 1.
    const im::CompartmentParameters &c = model.compartments;
    const double fastest =
        std::max({c.node_dc_death, c.blood_effector_death, c.memory_decay});
    if (time_step * fastest >= 1)
      throw_input_error(section + "Time step",
                        "must be shorter than 1/(fastest lymph node/blood rate) = " +
                            std::to_string(1 / fastest) + " s");
    system.parse_parameters(prm, im::n_species);
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    for (const auto &[name, density] : initial_tumour)
      if (sim.tissue_table().find_name(name) == nullptr)
        throw_input_error("Immune/MNP immunotherapy/Initial tumour cells",
                          "no tissue named '" + name + "' in the tissue database");
    for (unsigned int k = 0; k < im::n_species; ++k)
    {
      species_fields.push_back(std::make_unique<SpeciesField>(this, k));
      sim.fields().add(im::species_names[k], im::species_units[k],
                       std::string("immune species ") + im::species_names[k], "Immune",
                       species_fields.back().get());
    }
  }

  std::vector<std::string> needed_fields() const override
  {
    return {"temperature", "iron", "perfusion", "cargo_release_rate"};
  }

  // The heat kill, the ICD window and the Fenton rates follow T during a session.
  bool follows_session_temperature() const override { return true; }

  void setup() override
  {
    const ScalarSpace &space = simulator->scalar_space();
    std::vector<ReactionDiffusionSystem::Species> species;
    for (unsigned int k = 0; k < im::n_species; ++k)
      species.push_back({im::species_names[k],
                         model.diffusivity[k],
                         {},
                         model.chemotaxis[k] > 0 ? int(im::damp) : -1,
                         model.chemotaxis[k]});
    // Cell densities jump at the tumour edge: the lumped mass keeps them non-negative.
    system.set_lumped_mass(true);
    system.setup(space, species);
    target_weights = simulator->nodal_weights(simulator->target_labels());
    if (simulator->restoring_state())
      return;

    // Tumour cells: the largest density of the tissues of the cells around a node.
    FieldVector tumour = space.make_field_vector();
    std::vector<types::global_dof_index> indices(space.fe.n_dofs_per_cell());
    for (const auto &cell : space.dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      const Tissue *tissue = simulator->tissue_of_label()[cell->material_id()];
      double density = 0;
      for (const auto &[name, value] : initial_tumour)
        if (tissue != nullptr && tissue->name == name)
          density = value;
      cell->get_dof_indices(indices);
      for (const auto index : indices)
        if (space.locally_owned.is_element(index))
          tumour(index) = std::max(tumour(index), density);
    }
    system.set_values(im::tumour, tumour);
    const im::Parameters &p = model.kinetics;
    const double dc = p.dc_source / (p.dc_source / p.dc_capacity + p.dc_death);
    const double m2 = p.macrophage_source * (1 - p.m1_fraction) /
                      (p.polarisation_21 + p.macrophage_death);
    const double m1 = (p.macrophage_source * p.m1_fraction + p.polarisation_21 * m2) /
                      p.macrophage_death;
    for (const auto &[k, value] : {std::pair<im::Species, double>{im::immature_dc, dc},
                                   {im::m1, m1},
                                   {im::m2, m2}})
    {
      FieldVector homeostasis = space.make_field_vector();
      homeostasis = value;
      system.set_values(k, homeostasis);
    }
    compartments = Compartments();
    antibody_exposure = 0;
    cached_plasma_time = -1e300;
    compartments.distant_tumour = model.compartments.distant_initial;
    ++version;
  }

  void advance(double t_old, double t_new) override
  {
    if (!(t_new > t_old))
      return;
    const FieldRegistry &fields = simulator->fields();
    // Nodal inputs: the field's own nodal values, else its lumped projection.
    const auto nodal = [this](const Field &field,
                              FieldVector &projected) -> const FieldVector &
    {
      if (field.nodal_values() != nullptr)
        return *field.nodal_values();
      projected = lumped_projection(simulator->scalar_space(), field);
      return projected;
    };
    FieldVector projected_temperature, projected_iron, projected_perfusion,
        projected_release;
    const FieldVector &temperature = nodal(
        fields.get("temperature", "Immune/MNP immunotherapy"), projected_temperature);
    const Field *iron_field = fields.find("iron");
    const FieldVector *iron = iron_field ? &nodal(*iron_field, projected_iron) : nullptr;
    const FieldVector &perfusion =
        nodal(fields.get("perfusion", "Immune/MNP immunotherapy"), projected_perfusion);
    // Anti-PD-L1 released from the particles [nmol/(m^3 s)] (Transport/.../Cargo).
    const Field *release_field = fields.find("cargo_release_rate");
    const FieldVector *release =
        release_field ? &nodal(*release_field, projected_release) : nullptr;
    // int w_b dV [mm^3/s] of the mesh and the distant tumour: the blood they draw from.
    double perfused_volume = 0;
    const FieldVector &node_volume = system.node_volumes();
    for (unsigned int i = 0; i < perfusion.locally_owned_size(); ++i)
      perfused_volume += perfusion.local_element(i) * node_volume.local_element(i);
    perfused_volume =
        Utilities::MPI::sum(perfused_volume, simulator->mpi_communicator()) * mm3_per_m3 +
        model.compartments.distant_perfusion * model.compartments.distant_volume;

    im::Inputs inputs;
    const auto set_inputs = [&](unsigned int node, double t)
    {
      inputs.temperature = temperature.local_element(node);
      inputs.iron = iron ? iron->local_element(node) : 0.0;
      inputs.perfusion = perfusion.local_element(node);
      inputs.effectors_blood = blood_effectors_at(t);
      inputs.antibody_plasma = plasma_at(t);
      // The transported cargo may undershoot slightly below 0 (SUPG); a negative
      // release would drive the antibody below 0.
      inputs.antibody_release =
          release ? nM_per_nmol_per_m3 * std::max(release->local_element(node), 0.0)
                  : 0.0;
    };
    const auto kinetics = [&](unsigned int node, double t, const double *u, double *f)
    {
      set_inputs(node, t);
      im::rates(model.kinetics, inputs, im::Coefficients(model.kinetics, inputs), u, f);
    };
    const auto jacobian = [&](unsigned int node, double t, const double *u, double *j)
    {
      set_inputs(node, t);
      im::jacobian(model.kinetics, inputs, im::Coefficients(model.kinetics, inputs), u,
                   j);
    };
    // Steps of at most the time step, cut at the dose times (the plasma level jumps).
    std::vector<double> breaks = {t_old};
    for (const double time : model.dose_times())
      if (time > t_old && time < t_new && time > breaks.back())
        breaks.push_back(time);
    breaks.push_back(t_new);
    for (unsigned int b = 1; b < breaks.size(); ++b)
    {
      const double interval = breaks[b] - breaks[b - 1];
      const unsigned int n_steps = static_cast<unsigned int>(
          std::max(1.0, std::ceil(interval / time_step - 1e-9)));
      const double dt = interval / n_steps;
      for (unsigned int s = 0; s < n_steps; ++s)
      {
        const double t = breaks[b - 1] + s * dt;
        step_start = t;
        const double mature_at_start = system.total(im::mature_dc) * mm3_per_m3;
        const double antibody_at_start = target_mean(im::antibody);
        const double exchange_at_start = antibody_exchange(
            perfusion, model.antibody.plasma_level(t, true) + returned_level(t));
        system.step(t, dt, kinetics, jacobian);
        advance_compartments(t, dt, perfused_volume, mature_at_start);
        // What the tissues returned to the plasma, by the trapezoidal rule.
        const double decay = std::exp2(-dt / model.antibody.half_life);
        const double exchange_at_end = antibody_exchange(
            perfusion, model.antibody.plasma_level(t + dt) + returned_level(t + dt));
        compartments.plasma_returned =
            decay * (compartments.plasma_returned + 0.5 * dt * exchange_at_start) +
            0.5 * dt * exchange_at_end;
        compartments.plasma_returned_time = t + dt;
        cached_plasma_time = -1e300;
        antibody_exposure += 0.5 * dt * (antibody_at_start + target_mean(im::antibody));
      }
      n_steps_total += n_steps;
    }
    ++version;
  }

  void register_state(ModuleState &state) override
  {
    system.register_state(state);
    state.add_record(
        [this](StateArchive &archive)
        {
          archive &n_steps_total &current_time &antibody_exposure;
          compartments.serialize(archive);
        });
  }

  void state_restored() override
  {
    cached_plasma_time = -1e300;
    ++version;
  }

  void add_statistics(StatisticsRow &row) const override
  {
    // Totals [cells, nmol-equivalent] and extremes of every species.
    for (unsigned int k = 0; k < im::n_species; ++k)
    {
      row.emplace_back(std::string(im::species_names[k]) + "_total",
                       system.total(k) * mm3_per_m3);
      row.emplace_back(std::string(im::species_names[k]) + "_min", system.minimum(k));
      row.emplace_back(std::string(im::species_names[k]) + "_max", system.maximum(k));
    }
    // Means over the target tissues.
    const MPI_Comm comm = simulator->mpi_communicator();
    std::array<double, im::n_species> target{};
    double volume = 0;
    for (const auto &[node, weight] : target_weights)
    {
      volume += weight;
      for (unsigned int k = 0; k < im::n_species; ++k)
        target[k] += weight * system.values(k).local_element(node);
    }
    volume = Utilities::MPI::sum(volume, comm);
    for (double &value : target)
      value = Utilities::MPI::sum(value, comm);
    const auto mean = [&](im::Species k)
    { return volume > 0 ? target[k] / volume : 0.0; };
    row.emplace_back("target_tumour_cells", target[im::tumour] * mm3_per_m3);
    row.emplace_back("target_icd_fraction",
                     target[im::tumour] + target[im::damaged] > 0
                         ? target[im::damaged] /
                               (target[im::tumour] + target[im::damaged])
                         : 0.0);
    row.emplace_back("target_cd8_per_mm3", mean(im::effector));
    row.emplace_back("target_cd8_fraction",
                     mean(im::effector) /
                         (mean(im::effector) + model.compartments.other_t_cells));
    row.emplace_back("target_m1_m2_ratio",
                     target[im::m2] > 0 ? target[im::m1] / target[im::m2] : 0.0);
    row.emplace_back("target_anti_pdl1_nM", mean(im::antibody));
    row.emplace_back("target_anti_pdl1_exposure_nM_d", antibody_exposure / 86400);
    row.emplace_back("target_damp", mean(im::damp));
    row.emplace_back("plasma_anti_pdl1_nM", plasma_at(simulator_time()));
    if (!model.ctla4.doses.empty())
    {
      const double level = model.ctla4.plasma_level(simulator_time());
      row.emplace_back("plasma_anti_ctla4_nM", level);
      row.emplace_back("ctla4_blockade", level / (level + model.compartments.ctla4_kd));
    }
    row.emplace_back("lymph_node_mature_dc", compartments.node_dcs);
    row.emplace_back("blood_effectors_per_mm3", compartments.blood_effectors);
    row.emplace_back("memory_t_cells", compartments.memory);
    row.emplace_back("effectors_delivered", compartments.effectors_delivered);
    if (model.compartments.distant_volume > 0)
    {
      row.emplace_back("distant_tumour_cells",
                       compartments.distant_tumour * model.compartments.distant_volume);
      row.emplace_back("distant_cd8_per_mm3", compartments.distant_effectors);
      row.emplace_back("distant_anti_pdl1_nM", compartments.distant_antibody);
    }
    row.emplace_back("immune_steps", n_steps_total);
    row.emplace_back("immune_reaction_substeps", system.reaction_substeps());
    row.emplace_back("immune_linear_iterations", system.linear_iterations());
  }

  void add_output(DataOut<3> &data_out) override
  {
    for (unsigned int k = 0; k < im::n_species; ++k)
      data_out.add_data_vector(simulator->scalar_space().dof_handler, system.values(k),
                               im::species_names[k]);
  }

private:
  struct SpeciesField : Field
  {
    const MnpImmunotherapy *model;
    unsigned int k;
    SpeciesField(const MnpImmunotherapy *model, unsigned int k) : model(model), k(k) {}
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &result) const override
    {
      fe_values.get_function_values(model->system.values(k), result);
    }
    unsigned int version() const override { return model->version; }
    const FieldVector *nodal_values() const override { return &model->system.values(k); }
  };

  // Global state: lymph node, blood, memory and the distant tumour.
  struct Compartments
  {
    double node_dcs = 0;            // mature DCs in the node [cells]
    double blood_effectors = 0;     // E_s [cells/mm^3 of blood]
    double memory = 0;              // M_T [cells]
    double distant_tumour = 0;      // C_2 [cells/mm^3]
    double distant_effectors = 0;   // E_2 [cells/mm^3]
    double distant_antibody = 0;    // A_2 [nM]
    double effectors_delivered = 0; // effectors that left the blood [cells]
    double previous_blood = 0;      // E_s at the start of the last step
    double previous_step = 0;       // its length [s] (0: none yet)
    // Anti-PD-L1 the tissues returned to the plasma [nmol] at plasma_returned_time.
    double plasma_returned = 0, plasma_returned_time = 0;

    void serialize(StateArchive &archive)
    {
      archive &node_dcs &blood_effectors &memory &distant_tumour &distant_effectors
          &distant_antibody &effectors_delivered &previous_blood &previous_step
              &plasma_returned &plasma_returned_time;
    }
  };

  double simulator_time() const { return current_time; }

  // The plasma level [nM] of the anti-PD-L1 the tissues returned, decayed to t.
  double returned_level(double t) const
  {
    return compartments.plasma_returned *
           std::exp2(-(t - compartments.plasma_returned_time) /
                     model.antibody.half_life) /
           model.antibody.distribution_volume;
  }

  // The plasma level of anti-PD-L1 [nM]: the doses plus what the tissues returned
  // (cached: the kinetics ask at every node).
  double plasma_at(double t) const
  {
    if (t != cached_plasma_time)
    {
      cached_plasma_time = t;
      cached_plasma = model.antibody.plasma_level(t) + returned_level(t);
    }
    return cached_plasma;
  }

  // The anti-PD-L1 the tissues return to the plasma [nmol/s]: int k_v w_b <A - A_p>+ dV
  // over the mesh and the distant tumour. Only an excess over the plasma level (drug
  // released in the tissue) returns: the uptake of the doses by the body's tissues,
  // the mesh's among them, is part of the plasma curve A_p(t) (V_d, t_half).
  double antibody_exchange(const FieldVector &perfusion, double plasma) const
  {
    const FieldVector &node_volume = system.node_volumes();
    const FieldVector &antibody = system.values(im::antibody);
    double exchange = 0;
    for (unsigned int i = 0; i < perfusion.locally_owned_size(); ++i)
      exchange += perfusion.local_element(i) * node_volume.local_element(i) *
                  std::max(antibody.local_element(i) - plasma, 0.0);
    exchange =
        Utilities::MPI::sum(exchange, simulator->mpi_communicator()) * litres_per_m3;
    const im::CompartmentParameters &c = model.compartments;
    exchange += c.distant_perfusion * c.distant_volume * litres_per_mm3 *
                std::max(compartments.distant_antibody - plasma, 0.0);
    return model.kinetics.antibody_extravasation * exchange;
  }

  // The mean of species k over the target tissues.
  double target_mean(im::Species k) const
  {
    double sums[2] = {0, 0};
    for (const auto &[node, weight] : target_weights)
    {
      sums[0] += weight;
      sums[1] += weight * system.values(k).local_element(node);
    }
    Utilities::MPI::sum(sums, simulator->mpi_communicator(), sums);
    return sums[0] > 0 ? sums[1] / sums[0] : 0.0;
  }

  // The systemic effector level during the step that starts at step_start: extrapolated
  // linearly from the last two levels (second order in the coupling).
  double blood_effectors_at(double t) const
  {
    const Compartments &s = compartments;
    const double slope = s.previous_step > 0
                             ? (s.blood_effectors - s.previous_blood) / s.previous_step
                             : 0.0;
    return s.blood_effectors + slope * (t - step_start);
  }

  // The compartments over (t, t + dt] by the trapezoidal rule, with int Dm of the step's
  // start and end and the effectors leaving the blood at the extrapolated level the
  // tissue received.
  void advance_compartments(double t, double dt, double perfused_volume,
                            double mature_at_start)
  {
    const im::CompartmentParameters &c = model.compartments;
    const im::Parameters &p = model.kinetics;
    Compartments &s = compartments;
    const double h = 0.5 * dt;
    const double mature_at_end = system.total(im::mature_dc) * mm3_per_m3;
    const double dc_old = s.node_dcs;
    s.node_dcs = (dc_old * (1 - h * c.node_dc_death) +
                  h * p.dc_emigration * (mature_at_start + mature_at_end)) /
                 (1 + h * c.node_dc_death);
    const auto saturation = [&](double dcs)
    {
      const double x = std::pow(dcs / c.priming_half, c.priming_hill);
      return x / (1 + x);
    };
    const double s0 = saturation(dc_old), s1 = saturation(s.node_dcs);
    const double mid_step_blood = blood_effectors_at(t + h);
    const double leaving = p.infiltration * perfused_volume * mid_step_blood; // cells/s
    // E_s^{n+1} and M_T^{n+1} from their trapezoidal equations (memory formation
    // f_mem d_Es V_b E_s (1 - M_T/M_max) is bilinear): Newton on the 2x2 system.
    const double death = c.blood_effector_death, volume = c.blood_volume;
    const double e0 = s.blood_effectors, m0 = s.memory;
    const double formation = c.memory_fraction * death * volume; // per E_s [cells/s]
    const double e_known = volume * e0 * (1 - h * death) +
                           h * ((model.priming_rate(t, true) + c.memory_boost * m0) * s0 +
                                model.priming_rate(t + dt) * s1) -
                           dt * leaving;
    const double m_known =
        m0 * (1 - h * c.memory_decay) + h * formation * e0 * (1 - m0 / c.memory_capacity);
    double e1 = e0, m1 = m0;
    for (unsigned int iteration = 0; iteration < 20; ++iteration)
    {
      const double r_e =
          volume * (1 + h * death) * e1 - h * c.memory_boost * s1 * m1 - e_known;
      const double r_m = m1 * (1 + h * c.memory_decay) -
                         h * formation * e1 * (1 - m1 / c.memory_capacity) - m_known;
      const double j_ee = volume * (1 + h * death), j_em = -h * c.memory_boost * s1;
      const double j_me = -h * formation * (1 - m1 / c.memory_capacity);
      const double j_mm = 1 + h * c.memory_decay + h * formation * e1 / c.memory_capacity;
      const double determinant = j_ee * j_mm - j_em * j_me;
      const double de = (j_mm * r_e - j_em * r_m) / determinant;
      const double dm = (j_ee * r_m - j_me * r_e) / determinant;
      e1 -= de;
      m1 -= dm;
      if (std::abs(de) <= 1e-14 * std::abs(e1) + 1e-300 &&
          std::abs(dm) <= 1e-14 * std::abs(m1) + 1e-300)
        break;
    }
    s.previous_blood = e0;
    s.previous_step = dt;
    s.blood_effectors = e1;
    s.memory = m1;
    s.effectors_delivered += dt * leaving;
    if (c.distant_volume > 0)
      advance_distant_tumour(t, dt, mid_step_blood);
    current_time = t + dt;
  }

  // The distant tumour: the tumour-cell, effector and anti-PD-L1 equations at 37 C
  // without iron, by the trapezoidal rule (Newton on the 3x3 system).
  void advance_distant_tumour(double t, double dt, double blood_effectors)
  {
    const im::CompartmentParameters &c = model.compartments;
    const im::Parameters &p = model.kinetics;
    Compartments &s = compartments;
    im::Inputs in;
    in.perfusion = c.distant_perfusion;
    in.effectors_blood = blood_effectors;
    in.antibody_plasma = plasma_at(t + 0.5 * dt);
    const im::Coefficients coefficients(p, in);
    constexpr unsigned int n = im::n_species;
    constexpr std::array<im::Species, 3> lumped = {
        {im::tumour, im::effector, im::antibody}};
    const std::array<double *, 3> state = {
        {&s.distant_tumour, &s.distant_effectors, &s.distant_antibody}};
    std::array<double, n> u{}, f{}, f0{};
    std::array<double, n * n> j{};
    std::array<double, 3> old{};
    for (unsigned int a = 0; a < 3; ++a)
      u[lumped[a]] = old[a] = *state[a];
    im::rates(p, in, coefficients, u.data(), f0.data());
    const double h = 0.5 * dt;
    FullMatrix<double> matrix(3, 3);
    Vector<double> residual(3), update(3);
    for (unsigned int iteration = 0; iteration < 8; ++iteration)
    {
      im::rates(p, in, coefficients, u.data(), f.data());
      im::jacobian(p, in, coefficients, u.data(), j.data());
      for (unsigned int a = 0; a < 3; ++a)
      {
        const unsigned int row = lumped[a];
        residual(a) = u[row] - old[a] - h * (f[row] + f0[row]);
        for (unsigned int b = 0; b < 3; ++b)
          matrix(a, b) = (a == b ? 1.0 : 0.0) - h * j[row * n + lumped[b]];
      }
      matrix.gauss_jordan();
      matrix.vmult(update, residual);
      for (unsigned int a = 0; a < 3; ++a)
        u[lumped[a]] -= update(a);
    }
    for (unsigned int a = 0; a < 3; ++a)
      *state[a] = u[lumped[a]];
  }

  Simulator *simulator = nullptr;
  im::ModelParameters model;
  std::vector<std::pair<std::string, double>> initial_tumour;
  double time_step = 3600, current_time = 0, step_start = 0;
  double antibody_exposure = 0; // int of the target's mean anti-PD-L1 dt [nM s]
  mutable double cached_plasma_time = -1e300, cached_plasma = 0;
  ReactionDiffusionSystem system;
  std::vector<std::unique_ptr<SpeciesField>> species_fields;
  std::vector<std::pair<unsigned int, double>> target_weights;
  Compartments compartments;
  unsigned int version = 0, n_steps_total = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ImmuneModel, MnpImmunotherapy, "mnp immunotherapy",
                           "the default immune/ROS model of MNP hyperthermia with "
                           "immunotherapy: tumour cells, ICD/DAMP, Fenton ROS and lipid "
                           "peroxidation, dendritic cells, CD8+ T cells, M1/M2 "
                           "macrophages, anti-PD-L1, lymph node/blood/memory and a "
                           "distant tumour");
} // namespace ferrotherm
