// BdfHistory: time levels and variable-step BDF formulas (see bdf_history.h).
#include "core/bdf_history.h"

#include "core/module_state.h"

#include <algorithm>

namespace ferrotherm
{
void BdfHistory::reinit(const dealii::IndexSet &owned, MPI_Comm comm,
                        unsigned int levels_kept)
{
  n_levels = levels_kept;
  for (unsigned int k = 0; k < n_levels; ++k)
    levels[k].reinit(owned, comm);
  available = 0;
  first_order_step = false;
}

void BdfHistory::start(const LA::MPI::Vector &u)
{
  for (unsigned int k = 0; k < n_levels; ++k)
    levels[k] = u;
  available = 1;
  first_order_step = false;
}

BdfHistory::Coefficients BdfHistory::coefficients(double dt, unsigned int max_order) const
{
  Coefficients c;
  if (max_order >= 2 && available >= 2 && !first_order_step)
  {
    const double w = dt / steps[0];
    c.order = 2;
    c.a0 = (1 + 2 * w) / (1 + w);
    c.a1 = -(1 + w);
    c.a2 = w * w / (1 + w);
  }
  return c;
}

void BdfHistory::extrapolate(double dt, unsigned int degree,
                             LA::MPI::Vector &prediction) const
{
  degree = std::min(degree, available - 1);
  if (degree >= 2 && n_levels >= 3)
  {
    const double h1 = steps[0], h2 = steps[1];
    const double l0 = (dt + h1) * (dt + h1 + h2) / (h1 * (h1 + h2));
    const double l1 = -dt * (dt + h1 + h2) / (h1 * h2);
    const double l2 = dt * (dt + h1) / ((h1 + h2) * h2);
    prediction.equ(l0, levels[0]);
    prediction.add(l1, levels[1]);
    prediction.add(l2, levels[2]);
  }
  else if (degree >= 1)
  {
    prediction.equ(1 + dt / steps[0], levels[0]);
    prediction.add(-dt / steps[0], levels[1]);
  }
  else
    prediction = levels[0];
}

void BdfHistory::combine_history(const Coefficients &c, double scale,
                                 LA::MPI::Vector &out) const
{
  out.equ(scale * c.a1, levels[0]);
  if (c.a2 != 0)
    out.add(scale * c.a2, levels[1]);
}

void BdfHistory::accept(const LA::MPI::Vector &u, double dt)
{
  for (unsigned int k = n_levels - 1; k > 0; --k)
    levels[k].swap(levels[k - 1]);
  levels[0] = u;
  steps[1] = steps[0];
  steps[0] = dt;
  available = std::min(available + 1, n_levels);
  first_order_step = false;
}

void BdfHistory::distribute(const dealii::AffineConstraints<double> &constraints)
{
  for (unsigned int k = 0; k < n_levels; ++k)
    constraints.distribute(levels[k]);
}

void BdfHistory::register_state(ModuleState &state, const std::string &name,
                                const dealii::DoFHandler<3, 3> &dof_handler)
{
  const char *suffixes[] = {"", " (n-1)", " (n-2)"};
  for (unsigned int k = 0; k < n_levels; ++k)
    state.add_vector(name + suffixes[k], dof_handler, levels[k]);
  state.add_record([this](StateArchive &archive)
                   { archive &available &steps &first_order_step; });
}
} // namespace ferrotherm
