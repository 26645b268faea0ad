// PennesHeat, the heat balance and plausibility checks: the powers of every term at the
// end of a step (storage from the same BDF formula as the equation, the flow through
// fixed-temperature boundaries as the residual of their rows), their time integrals,
// the relative closure |storage - (gains - losses)| / largest term, and the warnings.
#include "physics/heat/pennes_heat.h"

#include "core/bdf_history.h"
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/parsed_function.h"
#include "core/parsed_function_at_time.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"
#include "models/perfusion/perfusion_model.h"

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
namespace ferrotherm
{
using namespace dealii;

void PennesHeat::check_plausibility()
{
  const double highest = solution.max();
  const double lowest = solution.min();
  if (!std::isfinite(highest) || !std::isfinite(lowest))
  {
    std::ostringstream message;
    message << "Heat: the temperature is not finite at t = " << time
            << " s. The input drives the model outside any physical range (check "
               "source strengths, field amplitude and frequency, perfusion and tissue "
               "properties); a smaller time step does not help such input.";
    throw std::runtime_error(message.str());
  }
  if (highest > plausible_temperatures.second || lowest < plausible_temperatures.first)
  {
    std::ostringstream message;
    message << "the temperature lies in [" << lowest << ", " << highest
            << "] deg C at t = " << time << " s, outside the plausible range ["
            << plausible_temperatures.first << ", " << plausible_temperatures.second
            << "] deg C (Heat/Plausible temperature range): Pennes' model does not hold "
               "there; check the field strength, the iron dose and the tissue data";
    simulator->warnings().warn("temperature outside the plausible range", message.str());
  }
}

void PennesHeat::check_heat_balance(double t)
{
  const double error = relative_balance_error();
  if (error > balance_warning_threshold)
  {
    std::ostringstream message;
    message << "the relative heat-balance error is " << error << " at t = " << t
            << " s, above " << balance_warning_threshold
            << " (Heat/Heat balance warning threshold): the energy bookkeeping does not "
               "close; tighten Heat/Linear solver/Relative tolerance or Heat/Nonlinear "
               "tolerance";
    simulator->warnings().warn("heat balance", message.str());
  }
}

double PennesHeat::relative_balance_error() const
{
  // Relative to the largest energy flow, but at least 1e-6 of the domain's heat content
  // (rho c |T| over the domain): without heat flows the terms are solver noise, not 0/0.
  const double floor = 1e-6 * total_heat_capacity * std::abs(arterial_temperature);
  return std::abs(energy_closure) / std::max(energy_scale, floor);
}

void PennesHeat::compute_powers(double dt, double a0, double a1, double a2)
{
  Powers p;
  double dirichlet_storage = 0;
  if (scheme != Scheme::steady)
  {
    work.equ(a0 / dt, solution);
    work.add(a1 / dt, history.level(0));
    if (a2 != 0)
      work.add(a2 / dt, history.level(1));
    p.storage = heat_capacity_weights * work;
    dirichlet_storage = dirichlet_mass_columns * work;
  }
  p.metabolic = constant_integrals.metabolic;
  p.mnp = field_power_mnp;
  p.eddy = field_power_eddy;
  p.extra = extra_power;
  p.flux_in = constant_integrals.flux_in;
  p.perfusion_out = perfusion_weights * solution - constant_integrals.perfusion_arterial +
                    nonlinear_perfusion_power;
  p.convection_out =
      convection_weights * solution - constant_integrals.convection_ambient;
  p.dirichlet_in =
      dirichlet_storage + dirichlet_stiffness_columns * solution +
      nonlinear_dirichlet_rows -
      (constant_integrals.dirichlet_rows + field_dirichlet_rows + extra_dirichlet_rows);
  last_powers = p;
}

double PennesHeat::net_power(const Powers &p)
{
  const double gains =
      p.metabolic + p.mnp + p.eddy + p.extra + p.flux_in + p.dirichlet_in;
  const double losses = p.perfusion_out + p.convection_out;
  return gains - losses;
}

void PennesHeat::integrate_energy(double dt)
{
  const Powers &p = last_powers;
  const double closure = p.storage - net_power(p);
  const double scale = std::max(
      {std::abs(p.storage),
       std::abs(p.metabolic) + std::abs(p.mnp) + std::abs(p.eddy) + std::abs(p.extra) +
           std::abs(p.flux_in),
       std::abs(p.dirichlet_in), std::abs(p.perfusion_out), std::abs(p.convection_out)});
  if (scheme == Scheme::steady)
  {
    energies = p;
    energy_closure = closure;
    energy_scale = scale;
    return;
  }
  energies.storage += p.storage * dt;
  energies.metabolic += p.metabolic * dt;
  energies.mnp += p.mnp * dt;
  energies.eddy += p.eddy * dt;
  energies.extra += p.extra * dt;
  energies.flux_in += p.flux_in * dt;
  energies.perfusion_out += p.perfusion_out * dt;
  energies.convection_out += p.convection_out * dt;
  energies.dirichlet_in += p.dirichlet_in * dt;
  energy_closure += closure * dt;
  energy_scale += scale * dt;
}
} // namespace ferrotherm
