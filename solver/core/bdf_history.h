// BdfHistory: the accepted time levels u^n, u^(n-1)[, u^(n-2)] of one field, their step
// sizes, and the variable-step backward differentiation formulas built on them
// (Hairer, Norsett & Wanner, Solving ODEs I, III.5):
//   (a0 u^(n+1) + a1 u^n + a2 u^(n-1)) / dt = f(t_(n+1), u^(n+1)),
//   order 1: a0 = 1, a1 = -1, a2 = 0;
//   order 2: w = dt / h_n, a0 = (1 + 2w)/(1 + w), a1 = -(1 + w), a2 = w^2/(1 + w),
// and the extrapolation through the levels (Lagrange polynomial of degree 1 or 2 at
// t_n + dt: the warm start of the solver and, compared with the solution, Milne's
// estimate of the local error). Accepting a step rotates the levels by swapping
// (one copy); the levels and steps are registered as module state, so they survive a
// checkpoint and move with the mesh.
#pragma once

#include "core/linear_algebra.h"

#include <deal.II/base/index_set.h>
#include <deal.II/lac/affine_constraints.h>

#include <array>
#include <string>

namespace dealii
{
template <int dim, int spacedim> class DoFHandler;
}

namespace ferrotherm
{
class ModuleState;

class BdfHistory
{
public:
  struct Coefficients
  {
    unsigned int order = 1;
    double a0 = 1, a1 = -1, a2 = 0;
    // A running total Q with dQ/dt = rate over the step dt by the same formula,
    // a0 Q^(n+1) + a1 Q^n + a2 Q^(n-1) = dt rate (bookkeeping that closes with the
    // discrete equation).
    double integrate(double dt, double old_total, double older_total, double rate) const
    {
      return (-(a1 * old_total + a2 * older_total) + dt * rate) / a0;
    }
  };

  // Levels on `owned`; `n_levels` = 2 (BDF2) or 3 (BDF2 with a second-order estimate).
  void reinit(const dealii::IndexSet &owned, MPI_Comm comm, unsigned int n_levels);
  // Every level = u; one level available (the next step is first order).
  void start(const LA::MPI::Vector &u);
  // After a jump of the data (a source switched): the next step is first order, since
  // the solution has a kink there and BDF2 across it would be only first-order
  // accurate; the levels and step sizes stay for the extrapolation and the error
  // estimate.
  void first_order_next() { first_order_step = true; }

  // The formula of the step dt, of order min(max_order, levels available).
  Coefficients coefficients(double dt, unsigned int max_order) const;
  // prediction = the extrapolation to t_n + dt of degree min(degree, levels - 1).
  void extrapolate(double dt, unsigned int degree, LA::MPI::Vector &prediction) const;
  // The local error of a step of `order` is estimated as this constant times the
  // difference between the solution and the extrapolation of degree `order`.
  static double error_estimate_constant(unsigned int order)
  {
    return order == 2 ? 2.0 / 11.0 : 1.0 / 3.0;
  }
  // out = scale (a1 u^n + a2 u^(n-1)).
  void combine_history(const Coefficients &c, double scale, LA::MPI::Vector &out) const;

  // Accepts u^(n+1) = u after a step dt (u is copied; the oldest level is recycled).
  void accept(const LA::MPI::Vector &u, double dt);

  // u^n (k = 0), u^(n-1) (k = 1), ...
  const LA::MPI::Vector &level(unsigned int k) const { return levels[k]; }
  LA::MPI::Vector &level(unsigned int k) { return levels[k]; }
  unsigned int available_levels() const { return available; }
  double last_step() const { return steps[0]; }

  // Applies `constraints` to every level (after interpolation to a new mesh).
  void distribute(const dealii::AffineConstraints<double> &constraints);
  // The levels (as "<name>", "<name> (n-1)", ...) and the steps, as module state.
  void register_state(ModuleState &state, const std::string &name,
                      const dealii::DoFHandler<3, 3> &dof_handler);

private:
  std::array<LA::MPI::Vector, 3> levels;
  unsigned int n_levels = 2;
  unsigned int available = 0;
  std::array<double, 2> steps{{0, 0}}; // h_n, h_(n-1)
  bool first_order_step = false;
};
} // namespace ferrotherm
