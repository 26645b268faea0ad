// PennesHeat, one implicit step (or the steady solve): the right-hand side
//   (a0/dt rho c M + A) T = f - rho c M (a1 T^n + a2 T^(n-1))/dt,
// a linear CG solve, or Newton's method for temperature-dependent perfusion and SLP
// (chord iteration with the lumped Jacobian in transient steps, full Newton if steady).
// Where the Jacobian changes abruptly (a perfusion law's break point, e.g. Lang's tumour
// at 42 C) the chord iteration can stall; adaptive steps are then retried at a quarter of
// the step, where the mass term dominates, as stiff integrators do on a Newton failure
// (Hairer & Wanner 1996, IV.8).
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

void PennesHeat::build_right_hand_side(const LA::MPI::Vector &history_rhs)
{
  rhs = history_rhs;
  rhs += constant_rhs;
  rhs += field_rhs;
  rhs += extra_rhs;
}

void PennesHeat::solve_linear(const LA::MPI::Vector &history_rhs)
{
  build_right_hand_side(history_rhs);
  rhs.set(dirichlet_owned, dirichlet_rhs_values);
  rhs.compress(VectorOperation::insert);
  n_linear_iterations +=
      linear_solver.solve(system_matrix, system_matrix, solution, rhs, "Heat");
  dirichlet_constraints.distribute(solution);
}

bool PennesHeat::solve_newton(const LA::MPI::Vector &history_rhs,
                              bool with_treatment_sources, bool may_fail)
{
  const bool slp_depends_on_temperature =
      with_treatment_sources && slp_model->depends_on_temperature();
  double first_norm = 0;
  bool increment_at_round_off = false;
  for (unsigned int iteration = 0;; ++iteration)
  {
    update_temperature_values();
    if (slp_depends_on_temperature)
      assemble_field_sources();
    // Transient steps: chord iteration with the lumped Jacobian of the first iterate
    // (the mass term dominates, so it contracts fast); steady: full Newton.
    if (scheme == Scheme::steady)
      assemble_nonlinear_terms(Jacobian::consistent);
    else
      assemble_nonlinear_terms(iteration == 0 ? Jacobian::lumped : Jacobian::none);
    build_right_hand_side(history_rhs);
    system_matrix.vmult(residual, solution);
    residual += nonlinear_rhs;
    residual -= rhs;
    zero_constraints.set_zero(residual);
    const double norm = residual.l2_norm();
    // Converged when the residual is the tolerance times that of the predictor (not of
    // |b|, which the absolute temperature level dominates), or at round-off level.
    const double reference = std::max(rhs.l2_norm(), nonlinear_rhs.l2_norm());
    if (iteration == 0)
      first_norm = norm;
    const double target = std::max(nonlinear_tolerance * first_norm, 1e-13 * reference);
    // Also converged once the last update is at the round-off of T (1e-12 K): a residual
    // whose terms all vanish (T at the arterial value, no source) has no useful scale.
    if (norm <= target || increment_at_round_off)
      return true;
    if (!std::isfinite(norm))
    {
      std::ostringstream message;
      message << "Heat: the Newton residual is not finite at t = " << time
              << " s: a coefficient or source is outside any physical range (check the "
                 "tissue data, the perfusion model, the field strength and the iron "
                 "dose); a smaller time step does not help such input.";
      throw std::runtime_error(message.str());
    }
    if (iteration == max_nonlinear_iterations)
    {
      if (may_fail)
        return false;
      std::ostringstream message;
      message
          << "Heat: the Newton iteration for temperature-dependent perfusion/SLP did not "
             "converge in "
          << max_nonlinear_iterations << " iterations at t = " << time << " s (residual "
          << norm << ", from " << first_norm
          << "). Reduce 'Heat/Time step' or raise 'Maximum nonlinear iterations'.";
      throw std::runtime_error(message.str());
    }
    residual *= -1.0;
    increment = 0;
    n_linear_iterations +=
        linear_solver.solve(newton_matrix, system_matrix, increment, residual,
                            "Heat (Newton step)", 1e-3, 0.1 * target);
    solution += increment;
    dirichlet_constraints.distribute(solution);
    increment_at_round_off = increment.linfty_norm() <= 1e-12;
    ++n_newton_iterations;
  }
}

bool PennesHeat::solve_time_step(double t_new, double dt, double a0, double a1, double a2,
                                 bool with_treatment_sources, bool may_fail)
{
  const double factor = scheme == Scheme::steady ? 0.0 : a0 / dt;
  if (factor != system_matrix_factor)
    update_system_matrix(factor);
  update_boundary_data(t_new, scheme == Scheme::steady ? 0.0 : dt, a0, a1, a2);
  if (with_treatment_sources)
  {
    assemble_field_sources();
    assemble_extra_source(t_new);
  }
  else
  {
    field_rhs = 0;
    extra_rhs = 0;
    field_power_mnp = field_power_eddy = field_dirichlet_rows = 0;
    extra_power = extra_dirichlet_rows = 0;
    field_sources_assembled = false;
    extra_source_assembled = false;
  }

  // history_rhs = M (-(a1 T^n + a2 T^(n-1)) / dt), kept in `increment` during the step.
  LA::MPI::Vector &history_rhs = increment;
  if (scheme == Scheme::steady)
    history_rhs = 0;
  else
  {
    work.equ(-a1 / dt, history.level(0));
    if (a2 != 0)
      work.add(-a2 / dt, history.level(1));
    mass_matrix.vmult(history_rhs, work);
  }
  if (has_nonlinear_perfusion || slp_model->depends_on_temperature())
  {
    history_copy = history_rhs;
    if (!solve_newton(history_copy, with_treatment_sources, may_fail))
      return false;
  }
  else
  {
    solve_linear(history_rhs);
    nonlinear_perfusion_power = 0;
    nonlinear_dirichlet_rows = 0;
  }
  compute_powers(dt, a0, a1, a2);
  return true;
}
} // namespace ferrotherm
