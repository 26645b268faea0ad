// Thermal dose (CEM43, Arrhenius damage); see thermal_dose.h.
#include "physics/heat/thermal_dose.h"

#include "core/module_state.h"

#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/tissue_database.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_dgq.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/numerics/data_out.h>

#include <cmath>
#include <limits>
#include <map>

namespace ferrotherm
{
using namespace dealii;

namespace
{
// J/(mol K): the value the published A, Ea pairs were fitted with. (The CODATA value
// 8.314462618 changes the Henriques-Moritz rate at 50 C by 1.3%, because Ea/R is huge.)
constexpr double gas_constant = 8.314;
} // namespace

ThermalDose::ThermalDose() = default;
ThermalDose::~ThermalDose() = default;

void ThermalDose::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Thermal dose");
  prm.declare_entry(
      "CEM43 breakpoint temperature", "43", Patterns::Double(),
      "Temperature [deg C] where the CEM43 base R switches (Sapareto-Dewey), in "
      "[0, 100].");
  prm.declare_entry("R above breakpoint", "0.5", Patterns::Double(0, 1),
                    "CEM43 base R at or above the breakpoint.");
  prm.declare_entry("R below breakpoint", "0.25", Patterns::Double(0, 1),
                    "CEM43 base R below the breakpoint.");
  prm.declare_entry(
      "Damage threshold", "1", Patterns::Double(0),
      "Arrhenius damage integral Omega counted as damaged (1: 63% cell kill).");
  prm.declare_entry("CEM43 threshold", "240", Patterns::Double(0),
                    "CEM43 [min] reported as the fraction of the target at or above it.");
  prm.leave_subsection();
}

void ThermalDose::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Thermal dose");
  breakpoint = prm.get_double("CEM43 breakpoint temperature");
  check_range(breakpoint, 0, 100, "Heat/Thermal dose/CEM43 breakpoint temperature",
              "deg C");
  r_above = prm.get_double("R above breakpoint");
  r_below = prm.get_double("R below breakpoint");
  damage_threshold = prm.get_double("Damage threshold");
  dose_threshold = prm.get_double("CEM43 threshold");
  prm.leave_subsection();
}

double ThermalDose::cem43_rate(double temperature) const
{
  return std::pow(temperature >= breakpoint ? r_above : r_below,
                  breakpoint - temperature);
}

double ThermalDose::arrhenius_rate(double temperature, double A, double Ea)
{
  if (A <= 0)
    return 0;
  return std::exp(std::log(A) - Ea / (gas_constant * (temperature + 273.15)));
}

void ThermalDose::register_state(ModuleState &state)
{
  state.add_vector("CEM43", *dof_handler, cem43);
  state.add_vector("Omega", *dof_handler, damage);
  state.add_record(
      [this](StateArchive &archive)
      {
        archive &dose_version;
        if (archive.loading())
          rates_current = false;
      });
}

void ThermalDose::setup(const ScalarSpace &space,
                        const LabelMap<const Tissue *> &tissue_of_label,
                        const std::set<unsigned int> &target_labels,
                        const FieldVector &temperature)
{
  const unsigned int degree = space.fe.degree;
  fe = std::make_unique<FE_DGQArbitraryNodes<3>>(QGaussLobatto<1>(degree + 1));
  // The same DoFHandler after a mesh change, so that its vectors can be transferred.
  if (!dof_handler)
    dof_handler = std::make_unique<DoFHandler<3>>(space.dof_handler.get_triangulation());
  dof_handler->distribute_dofs(*fe);
  const IndexSet owned = dof_handler->locally_owned_dofs();
  const MPI_Comm comm = space.dof_handler.get_communicator();
  cem43.reinit(owned, comm);
  damage.reinit(owned, comm);

  // DG node j of a cell sits on the FE_Q node with the same unit support point.
  const unsigned int n_nodes = fe->n_dofs_per_cell();
  std::vector<unsigned int> continuous_node(n_nodes);
  for (unsigned int j = 0; j < n_nodes; ++j)
    for (unsigned int k = 0; k < n_nodes; ++k)
      if (fe->get_unit_support_points()[j].distance(
              space.fe.get_unit_support_points()[k]) < 1e-12)
        continuous_node[j] = k;

  const unsigned int n_local = owned.n_elements();
  node_rate_point.assign(n_local, 0);
  node_volume.assign(n_local, 0);
  node_in_target.assign(n_local, 0);
  rate_points.clear();
  std::map<std::pair<unsigned int, unsigned int>, unsigned int>
      point_of; // (T index, label)

  FEValues<3> fe_values(*space.mapping, *fe, space.cell_quadrature,
                        update_values | update_JxW_values);
  std::vector<types::global_dof_index> dg_indices(n_nodes), q_indices(n_nodes);
  for (const auto &cell : dof_handler->active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    typename DoFHandler<3>::active_cell_iterator continuous_cell(
        &space.dof_handler.get_triangulation(), cell->level(), cell->index(),
        &space.dof_handler);
    cell->get_dof_indices(dg_indices);
    continuous_cell->get_dof_indices(q_indices);
    fe_values.reinit(cell);
    const unsigned int label = cell->material_id();
    const Tissue *tissue = tissue_of_label[label];
    const bool in_target = target_labels.count(label) > 0;
    for (unsigned int j = 0; j < n_nodes; ++j)
    {
      const unsigned int local = owned.index_within_set(dg_indices[j]);
      const unsigned int t_index =
          temperature.get_partitioner()->global_to_local(q_indices[continuous_node[j]]);
      const auto key = std::make_pair(t_index, label);
      auto point = point_of.find(key);
      if (point == point_of.end())
      {
        point =
            point_of.emplace(key, static_cast<unsigned int>(rate_points.size())).first;
        rate_points.push_back({t_index,
                               tissue->arrhenius_A > 0
                                   ? std::log(tissue->arrhenius_A)
                                   : -std::numeric_limits<double>::infinity(),
                               tissue->arrhenius_Ea});
      }
      node_rate_point[local] = point->second;
      node_in_target[local] = in_target;
      for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
        node_volume[local] += fe_values.shape_value(j, q) * fe_values.JxW(q);
    }
  }
  rates_current = false;
}

void ThermalDose::evaluate_rates(const FieldVector &temperature,
                                 std::vector<double> &cem43_values,
                                 std::vector<double> &damage_values) const
{
  cem43_values.resize(rate_points.size());
  damage_values.resize(rate_points.size());
  for (unsigned int k = 0; k < rate_points.size(); ++k)
  {
    const RatePoint &point = rate_points[k];
    const double t = temperature.local_element(point.temperature_index);
    cem43_values[k] = cem43_rate(t);
    damage_values[k] = std::isfinite(point.log_A)
                           ? std::exp(point.log_A - point.activation_energy /
                                                        (gas_constant * (t + 273.15)))
                           : 0.0;
  }
}

void ThermalDose::accumulate(const FieldVector &temperature_old,
                             const FieldVector &temperature_new, double time_step)
{
  if (!rates_current)
    evaluate_rates(temperature_old, cem43_rates, damage_rates);
  evaluate_rates(temperature_new, new_cem43_rates, new_damage_rates);
  const double minutes = time_step / 60.0;
  for (unsigned int node = 0; node < node_rate_point.size(); ++node)
  {
    const unsigned int k = node_rate_point[node];
    cem43.local_element(node) += 0.5 * minutes * (cem43_rates[k] + new_cem43_rates[k]);
    damage.local_element(node) +=
        0.5 * time_step * (damage_rates[k] + new_damage_rates[k]);
  }
  cem43_rates.swap(new_cem43_rates);
  damage_rates.swap(new_damage_rates);
  rates_current = true;
  ++dose_version;
}

void ThermalDose::DoseField::evaluate(const FEValues<3> &fe_values,
                                      std::vector<double> &result) const
{
  // The DG cell matching the caller's cell; shape values at the caller's points.
  const auto &cell = fe_values.get_cell();
  typename DoFHandler<3>::active_cell_iterator dg_cell(
      &cell->get_triangulation(), cell->level(), cell->index(), dose.dof_handler.get());
  std::vector<types::global_dof_index> indices(dose.fe->n_dofs_per_cell());
  dg_cell->get_dof_indices(indices);
  const Quadrature<3> &quadrature = fe_values.get_quadrature();
  for (unsigned int q = 0; q < result.size(); ++q)
  {
    result[q] = 0;
    for (unsigned int j = 0; j < indices.size(); ++j)
      result[q] += values(indices[j]) * dose.fe->shape_value(j, quadrature.point(q));
  }
}

void ThermalDose::add_statistics(StatisticsRow &row, MPI_Comm comm) const
{
  std::vector<double> dose, damage_values, weights;
  double damaged_volume = 0;
  for (unsigned int node = 0; node < node_rate_point.size(); ++node)
  {
    if (damage.local_element(node) >= damage_threshold)
      damaged_volume += node_volume[node];
    if (node_in_target[node] && node_volume[node] > 0)
    {
      dose.push_back(cem43.local_element(node));
      damage_values.push_back(damage.local_element(node));
      weights.push_back(node_volume[node]);
    }
  }
  WeightedSamples dose_samples, damage_samples;
  dose_samples.assign(dose, weights);
  damage_samples.assign(damage_values, weights);
  row.emplace_back("target_CEM43_p90_min", dose_samples.upper_percentile(0.9, comm));
  row.emplace_back("target_CEM43_above_threshold_fraction",
                   dose_samples.fraction_at_or_above(dose_threshold, comm));
  row.emplace_back("target_damaged_fraction",
                   damage_samples.fraction_at_or_above(damage_threshold, comm));
  row.emplace_back("damaged_volume_m3", Utilities::MPI::sum(damaged_volume, comm));
}

void ThermalDose::add_output(DataOut<3> &data_out) const
{
  data_out.add_data_vector(*dof_handler, cem43, "CEM43_min");
  data_out.add_data_vector(*dof_handler, damage, "arrhenius_damage");
}
} // namespace ferrotherm
