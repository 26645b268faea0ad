// AdvectionDiffusionIron, time stepping over a macro step: injections enter at their
// times, steps end at injections and magnet switches, and between these events either
//  - fixed steps: equal steps of at most 'Time step' over each segment (one matrix and
//    preconditioner per segment), or
//  - adaptive steps from 'Time step' on: the local error of a BDF step is estimated from
//    the difference between the solution and the extrapolation of the levels to the
//    step's order (the constant of core/bdf_history.h), relative to the present peak of
//    the mobile iron or 1e-3 of the run's peak, whichever is larger,
//      e = C |c^(n+1) - c_pred|_inf / max(|c^(n+1)|_inf, 1e-3 max_t |c|_inf);
//    e > 2 tol redoes the step at dt/2, e > tol halves the next step, e < tol/16 doubles
//    it (BDF2: e ~ dt^3, so the doubled step stays below tol/2) up to 'Maximum time
//    step'; halving and doubling keep the number of distinct matrices (and
//    preconditioners) small. Every injection and magnet switch starts again from 'Time
//    step'. Once the iron is (nearly) at rest the steps grow to hours, so a multi-day
//    run does not cost days of minute steps.
#include "core/simulator.h"
#include "physics/transport/advection_diffusion_iron.h"

#include <algorithm>
#include <cmath>

namespace ferrotherm
{
void AdvectionDiffusionIron::advance(double t_old, double t_new)
{
  if (steady)
  {
    solve_steady(t_new);
    return;
  }
  double t = t_old;
  while (t < t_new - 1e-10 * std::max(1.0, std::abs(t_new)))
  {
    // Injections due by now enter before the step (steps end at injection times).
    bool injected_now = false;
    for (const Injection &injection : injections)
      if (injection.time <= t + 1e-9 * std::max(1.0, t) && !injected(injection))
      {
        inject(injection);
        injected_now = true;
      }
    // Steps end at injections and magnet switches inside the macro step.
    double t_end = std::min(t_new, magnets.application().next_switch_after(t));
    for (const Injection &injection : injections)
      if (injection.time > t * (1 + 1e-12) + 1e-12 && injection.time < t_end)
        t_end = injection.time;
    const bool magnet_on = !magnets.empty() && magnets.application().active(t, t_end);
    if (adaptive)
    {
      if (injected_now || magnet_on != magnet_applied)
        adaptive_step = time_step;
      peak_concentration = std::max(peak_concentration, solution.linfty_norm());
      advance_adaptive(t, t_end, magnet_on);
    }
    else
      advance_fixed(t, t_end, magnet_on);
    t = t_end;
  }
  ++iron_version;
}

void AdvectionDiffusionIron::advance_fixed(double t, double t_end, bool magnet_on)
{
  // Equal steps over the segment: one dt (so one matrix and preconditioner) for all.
  const double remaining = t_end - t;
  const unsigned int n_segment_steps =
      std::max(1.0, std::ceil(remaining / time_step - 1e-9));
  const double dt = remaining / n_segment_steps;
  // Inside sessions cut into coupling steps the short steps are intended.
  const bool coupling_step =
      simulator->follows_sessions() && simulator->field_scale(t, t_end) > 0;
  if (remaining < time_step * (1 - 1e-9) && !coupling_step)
    simulator->warnings().warn_shortened_step("Transport/Advection diffusion/Time step",
                                              time_step, dt);
  for (unsigned int k = 1; k <= n_segment_steps; ++k)
    step(k == n_segment_steps ? t_end : t + k * dt, dt, magnet_on);
}

void AdvectionDiffusionIron::advance_adaptive(double t, double t_end, bool magnet_on)
{
  const double end_tolerance = 1e-10 * std::max(1.0, std::abs(t_end));
  const double smallest = time_step / 1024;
  while (t < t_end - end_tolerance)
  {
    const double remaining = t_end - t;
    // At most twice the last step (variable-step BDF2 is zero-stable for ratios below
    // 1 + sqrt 2); the last steps of the segment: one step if it fits, else two equal
    // ones (no sliver of a step at the end).
    double dt = adaptive_step;
    if (history.available_levels() > 1)
      dt = std::min(dt, 2 * history.last_step());
    if (remaining <= dt * (1 + 1e-9))
      dt = remaining;
    else if (remaining < 2 * dt)
      dt = 0.5 * remaining;
    const double t_step = dt == remaining ? t_end : t + dt;
    if (!step(t_step, dt, magnet_on, dt > smallest))
    {
      ++n_rejected;
      adaptive_step = std::max(smallest, 0.5 * dt);
      continue;
    }
    t = t_step;
    peak_concentration = std::max(peak_concentration, solution.linfty_norm());
    if (last_estimate > step_tolerance)
      adaptive_step = std::max(smallest, 0.5 * dt);
    else if (last_estimate >= 0 && last_estimate < step_tolerance / 16)
      adaptive_step = std::min(max_time_step, std::max(adaptive_step, 2 * dt));
  }
}
} // namespace ferrotherm
