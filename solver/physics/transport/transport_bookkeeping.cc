// AdvectionDiffusionIron: the mass balance (injected + sourced + boundary inflow =
// mobile + bound + cleared + outflow), the outflow and fixed-boundary inflow rates, the
// statistics (tissue loads in mg Fe/g), the published fields and the ParaView output.
#include "physics/transport/advection_diffusion_iron.h"

#include "core/simulator.h"
#include "core/tissue_database.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/numerics/data_out.h>

#include <cmath>
#include <limits>

namespace ferrotherm
{
using namespace dealii;

// Net inflow [kg/s] through the fixed-concentration boundaries: the sum of the
// residuals of their rows, sum_(i fixed) [(M m)_i + (K c)_i - f_i] with the new level c
// in `mobile` and m = (a0 c + a1 c^n + a2 c^(n-1)) / dt, ghosted.
double AdvectionDiffusionIron::fixed_inflow_rate(const FieldVector &m) const
{
  if (!has_fixed_boundaries)
    return 0;
  return Utilities::MPI::sum(lifting.row_sum(fixed_dofs, m, mobile),
                             simulator->mpi_communicator()) -
         source_fixed_rows;
}

// Advective outflow rate through the outflow boundaries of a mobile concentration
// (the iron [kg/s], or its cargo).
double AdvectionDiffusionIron::outflow_rate(const FieldVector &concentration,
                                            bool magnet_on) const
{
  if (boundary_types.empty())
    return 0;
  const ScalarSpace &space = simulator->scalar_space();
  FEFaceValues<3> face_values(*space.mapping, space.fe, space.face_quadrature,
                              update_values | update_gradients | update_normal_vectors |
                                  update_quadrature_points | update_JxW_values);
  std::vector<double> values(space.face_quadrature.size());
  double rate = 0;
  for (const auto &cell : space.dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const unsigned int f : cell->face_indices())
        if (cell->face(f)->at_boundary())
        {
          const auto type = boundary_types.find(cell->face(f)->boundary_id());
          if (type == boundary_types.end() || type->second != TransportBoundary::outflow)
            continue;
          face_values.reinit(cell, f);
          face_values.get_function_values(concentration, values);
          for (unsigned int q = 0; q < values.size(); ++q)
          {
            const double un =
                face_velocity(face_values, q, magnet_on) * face_values.normal_vector(q);
            if (un > 0)
              rate += values[q] * un * face_values.JxW(q);
          }
        }
  return Utilities::MPI::sum(rate, simulator->mpi_communicator());
}

void AdvectionDiffusionIron::update_mobile()
{
  copy_owned_values(solution, mobile);
  mobile.update_ghost_values();
}

void AdvectionDiffusionIron::update_fields()
{
  update_mobile();
  for (unsigned int i = 0; i < bound_concentration.locally_owned_size(); ++i)
  {
    const double volume = node_volume.local_element(i);
    bound_concentration.local_element(i) =
        volume > 0 ? bound_mass.local_element(i) / volume : 0.0;
    total.local_element(i) =
        mobile.local_element(i) + bound_concentration.local_element(i);
  }
  bound_concentration.update_ghost_values();
  total.update_ghost_values();
  ++iron_version;
}

double AdvectionDiffusionIron::mobile_mass() const
{
  double mass = 0;
  for (unsigned int i = 0; i < mobile.locally_owned_size(); ++i)
    mass += mobile.local_element(i) * node_volume.local_element(i);
  return Utilities::MPI::sum(mass, simulator->mpi_communicator());
}

void AdvectionDiffusionIron::add_statistics(StatisticsRow &row) const
{
  const MPI_Comm comm = simulator->mpi_communicator();
  row.emplace_back("iron_injected_kg", totals.injected);
  row.emplace_back("iron_sourced_kg", totals.sourced);
  row.emplace_back("iron_mobile_kg", totals.mobile);
  row.emplace_back("iron_bound_kg", totals.bound);
  row.emplace_back("iron_cleared_kg", totals.cleared);
  row.emplace_back("iron_outflow_kg", totals.outflow);
  row.emplace_back("iron_boundary_in_kg", totals.boundary_in);
  const double put_in =
      totals.injected + totals.sourced + totals.boundary_in + totals.mesh_change;
  if (simulator->adaptive_mesh())
    row.emplace_back("iron_mesh_change_kg", totals.mesh_change);
  const double scale = totals.injected + totals.sourced + std::abs(totals.boundary_in);
  const double accounted = totals.mobile + totals.bound + totals.cleared + totals.outflow;
  // A steady state with fixed concentrations has no history to balance.
  row.emplace_back("iron_mass_balance_error",
                   steady && has_fixed_boundaries ? std::nan("")
                   : scale > 0                    ? std::abs(put_in - accounted) / scale
                                                  : 0.0);
  double minimum = std::numeric_limits<double>::max(), maximum = 0;
  for (unsigned int i = 0; i < mobile.locally_owned_size(); ++i)
  {
    minimum = std::min(minimum, mobile.local_element(i));
    maximum = std::max(maximum, mobile.local_element(i));
  }
  row.emplace_back("iron_min_kg_per_m3", Utilities::MPI::min(minimum, comm));
  row.emplace_back("iron_max_kg_per_m3", Utilities::MPI::max(maximum, comm));
  double in_target = 0;
  for (const auto &entry : target_weights)
    in_target += entry.second * total.local_element(entry.first);
  in_target = Utilities::MPI::sum(in_target, comm);
  row.emplace_back("iron_in_target_kg", in_target);
  row.emplace_back("iron_target_fraction",
                   totals.mobile + totals.bound > 0
                       ? in_target / (totals.mobile + totals.bound)
                       : 0.0);
  row.emplace_back("iron_transport_steps", n_steps);
  if (adaptive)
  {
    row.emplace_back("iron_time_step_s", history.last_step());
    row.emplace_back("iron_rejected_steps", n_rejected);
  }
  row.emplace_back("iron_gmres_iterations", n_iterations);
  add_cargo_statistics(row);
  add_tissue_loads(row);
}

// Mean and peak iron load per tissue [mg Fe/g = c / rho * 1000]; warns for the liver
// above 4 mg Fe/g (toxicity guard of systemic SPIONs).
void AdvectionDiffusionIron::add_tissue_loads(StatisticsRow &row) const
{
  const MPI_Comm comm = simulator->mpi_communicator();
  for (const unsigned int label : simulator->labels_in_mesh())
  {
    const Tissue &tissue = *simulator->tissue_of_label()[label];
    const auto weights = simulator->nodal_weights({label});
    double mass = 0, volume = 0, peak = 0;
    for (const auto &entry : weights)
    {
      mass += entry.second * total.local_element(entry.first);
      volume += entry.second;
      peak = std::max(peak, total.local_element(entry.first));
    }
    mass = Utilities::MPI::sum(mass, comm);
    volume = Utilities::MPI::sum(volume, comm);
    peak = Utilities::MPI::max(peak, comm);
    const double mean_load = volume > 0 ? mass / volume / tissue.density * 1000 : 0.0;
    const double peak_load = peak / tissue.density * 1000;
    row.emplace_back("iron_mean_" + tissue.name + "_mg_per_g", mean_load);
    row.emplace_back("iron_peak_" + tissue.name + "_mg_per_g", peak_load);
    if (tissue.name == liver_name && peak_load > 4)
      simulator->screen() << "Warning: iron in " << tissue.name << " reaches "
                          << peak_load << " mg Fe/g, above 4 mg Fe/g" << std::endl;
  }
}

void AdvectionDiffusionIron::add_output(DataOut<3> &data_out)
{
  const ScalarSpace &space = simulator->scalar_space();
  data_out.add_data_vector(space.dof_handler, mobile, "iron_mobile");
  data_out.add_data_vector(space.dof_handler, bound_concentration, "iron_bound");
  data_out.add_data_vector(space.dof_handler, total, "iron");
  if (cargo.enabled)
  {
    data_out.add_data_vector(space.dof_handler, cargo_carried, "cargo");
    data_out.add_data_vector(space.dof_handler, cargo_release_density,
                             "cargo_release_rate");
  }
  // Drift speed |u_mag + u_fluid| at the cell centres.
  FEValues<3> centre(*space.mapping, space.fe, QGauss<3>(1),
                     update_values | update_gradients | update_quadrature_points);
  std::vector<double> speed(1);
  cell_speed.reinit(simulator->triangulation().n_active_cells());
  for (const auto &cell : space.dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      centre.reinit(cell);
      speed_field.evaluate(centre, speed);
      cell_speed(cell->active_cell_index()) = speed[0];
    }
  data_out.add_data_vector(cell_speed, "iron_drift_speed", DataOut<3>::type_cell_data);
}

void AdvectionDiffusionIron::NodalField::evaluate(const FEValues<3> &fe_values,
                                                  std::vector<double> &result) const
{
  fe_values.get_function_values(*values, result);
}

void AdvectionDiffusionIron::SpeedField::evaluate(const FEValues<3> &fe_values,
                                                  std::vector<double> &result) const
{
  std::vector<Tensor<1, 3>> darcy(result.size());
  if (model->interstitial_velocity != nullptr)
    model->interstitial_velocity->evaluate(fe_values, darcy);
  for (unsigned int q = 0; q < result.size(); ++q)
    result[q] =
        (model->velocity_at_point(fe_values.quadrature_point(q), model->magnet_applied) +
         darcy[q])
            .norm();
}

void AdvectionDiffusionIron::MagnetField::evaluate(const FEValues<3> &fe_values,
                                                   std::vector<double> &result) const
{
  for (unsigned int q = 0; q < result.size(); ++q)
  {
    double b = 0;
    Tensor<1, 3> gradient;
    if (model->magnet_applied)
      magnetic_gradient(model->magnets.list(), fe_values.quadrature_point(q),
                        model->gradient_step, b, gradient);
    result[q] = gradient_magnitude ? gradient.norm() : b;
  }
}
} // namespace ferrotherm
