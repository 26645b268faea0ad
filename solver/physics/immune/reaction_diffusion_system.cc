// ReactionDiffusionSystem (see the header): Strang splitting of nodal reactions and
// SDIRK2 diffusion.
#include "physics/immune/reaction_diffusion_system.h"

#include "core/module_state.h"

#include "core/scalar_space.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ferrotherm
{
using namespace dealii;

namespace
{
// Alexander's two-stage, stiffly accurate, L-stable SDIRK method.
const double sdirk_gamma = 1 - 1 / std::sqrt(2.0);

// Discrete upwinding of an element operator: the symmetric d_ij = -max(0, l_ij, l_ji)
// (i != j) with zero row sums leaves no positive off-diagonal and conserves mass.
void remove_positive_couplings(FullMatrix<double> &element)
{
  const unsigned int n = element.m();
  for (unsigned int i = 0; i < n; ++i)
    for (unsigned int j = i + 1; j < n; ++j)
    {
      const double excess = std::max({0.0, element(i, j), element(j, i)});
      element(i, j) -= excess;
      element(j, i) -= excess;
      element(i, i) += excess;
      element(j, j) += excess;
    }
}
} // namespace

bool ReactionDiffusionSystem::DenseLU::factor(const std::vector<double> &jacobian,
                                              double h_gamma)
{
  const unsigned int n = pivots.size();
  for (unsigned int i = 0; i < n * n; ++i)
    lu[i] = -h_gamma * jacobian[i];
  for (unsigned int i = 0; i < n; ++i)
    lu[i * n + i] += 1;
  for (unsigned int k = 0; k < n; ++k)
  {
    unsigned int pivot = k;
    for (unsigned int i = k + 1; i < n; ++i)
      if (std::abs(lu[i * n + k]) > std::abs(lu[pivot * n + k]))
        pivot = i;
    if (!(std::abs(lu[pivot * n + k]) > 0) || !std::isfinite(lu[pivot * n + k]))
      return false;
    pivots[k] = pivot;
    if (pivot != k)
      for (unsigned int j = 0; j < n; ++j)
        std::swap(lu[k * n + j], lu[pivot * n + j]);
    for (unsigned int i = k + 1; i < n; ++i)
    {
      const double factor = lu[i * n + k] /= lu[k * n + k];
      for (unsigned int j = k + 1; j < n; ++j)
        lu[i * n + j] -= factor * lu[k * n + j];
    }
  }
  return true;
}

void ReactionDiffusionSystem::DenseLU::solve(double *b) const
{
  const unsigned int n = pivots.size();
  for (unsigned int k = 0; k < n; ++k)
    std::swap(b[k], b[pivots[k]]);
  for (unsigned int i = 1; i < n; ++i)
    for (unsigned int j = 0; j < i; ++j)
      b[i] -= lu[i * n + j] * b[j];
  for (unsigned int i = n; i-- > 0;)
  {
    for (unsigned int j = i + 1; j < n; ++j)
      b[i] -= lu[i * n + j] * b[j];
    b[i] /= lu[i * n + i];
  }
}

void ReactionDiffusionSystem::DenseLU::resize(unsigned int n)
{
  lu.assign(n * n, 0.0);
  pivots.assign(n, 0);
}

void ReactionDiffusionSystem::declare_parameters(ParameterHandler &prm,
                                                 const std::string &default_tolerance)
{
  prm.declare_entry("Reaction tolerance", default_tolerance, Patterns::Double(0),
                    "Relative error tolerance of the nodal reaction integration (step "
                    "doubling); the absolute tolerance is this times each species' "
                    "largest value.");
  prm.enter_subsection("Linear solver");
  ScalarLinearSolver::declare_parameters(prm, "jacobi");
  prm.leave_subsection();
}

void ReactionDiffusionSystem::parse_parameters(ParameterHandler &prm,
                                               unsigned int n_species)
{
  tolerance = prm.get_double("Reaction tolerance");
  if (!(tolerance > 0))
    throw std::invalid_argument("Reaction tolerance must be positive");
  prm.enter_subsection("Linear solver");
  solvers.clear();
  for (unsigned int k = 0; k < n_species; ++k)
  {
    solvers.push_back(std::make_unique<ScalarLinearSolver>());
    solvers.back()->parse_parameters(prm);
  }
  prm.leave_subsection();
}

void ReactionDiffusionSystem::setup(const ScalarSpace &scalar_space,
                                    const std::vector<Species> &all_species)
{
  space = &scalar_space;
  species = all_species;
  AssertThrow(solvers.size() == species.size(),
              ExcMessage("parse_parameters() was called for another number of species"));
  const MPI_Comm comm = space->dof_handler.get_communicator();
  constraints.clear();
  constraints.reinit(space->locally_relevant);
  constraints.merge(space->hanging_node_constraints);
  constraints.close();

  DynamicSparsityPattern pattern;
  space->make_sparsity_pattern(constraints, pattern);
  mass.reinit(space->locally_owned, space->locally_owned, pattern, comm);
  stiffness.clear();
  system.clear();
  transport.clear();
  const auto new_matrix = [&]()
  {
    auto matrix = std::make_unique<LA::MPI::SparseMatrix>();
    matrix->reinit(space->locally_owned, space->locally_owned, pattern, comm);
    return matrix;
  };
  for (unsigned int k = 0; k < species.size(); ++k)
  {
    const Species &s = species[k];
    AssertThrow(s.attractant < static_cast<int>(species.size()) &&
                    s.attractant != static_cast<int>(k),
                ExcMessage("a species' attractant must be another species"));
    const bool chemotactic = s.attractant >= 0 && s.chemotaxis != 0;
    bool diffuses = s.diffusivity > 0 || chemotactic;
    for (const auto &entry : s.diffusivity_by_label)
      diffuses = diffuses || entry.second > 0;
    // A chemotactic species' operator (diffusion included) is assembled every step.
    stiffness.push_back(diffuses && !chemotactic ? new_matrix() : nullptr);
    system.push_back(diffuses ? new_matrix() : nullptr);
    transport.push_back(chemotactic ? new_matrix() : nullptr);
    solvers[k]->set_nonsymmetric(chemotactic);
  }
  for (LA::MPI::Vector *v : {&u, &u_stage, &rhs, &work})
    v->reinit(space->locally_owned, comm);
  nodal.assign(species.size(), space->make_field_vector());
  node_volume = space->make_field_vector();

  // M, K_k = (D_k grad phi_i, grad phi_j) and the node volumes integral(phi_i).
  FEValues<3> fe_values(*space->mapping, space->fe, space->cell_quadrature,
                        update_values | update_gradients | update_JxW_values);
  const unsigned int n = space->fe.n_dofs_per_cell();
  FullMatrix<double> cell_mass(n, n), cell_laplace(n, n), cell_stiffness(n, n);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space->dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    cell->get_dof_indices(indices);
    cell_mass = 0;
    cell_laplace = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      for (unsigned int i = 0; i < n; ++i)
      {
        node_volume(indices[i]) += fe_values.shape_value(i, q) * fe_values.JxW(q);
        for (unsigned int j = 0; j < n; ++j)
        {
          cell_mass(i, j) += fe_values.shape_value(i, q) * fe_values.shape_value(j, q) *
                             fe_values.JxW(q);
          cell_laplace(i, j) +=
              fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q) * fe_values.JxW(q);
        }
      }
    constraints.distribute_local_to_global(cell_mass, indices, mass);
    for (unsigned int k = 0; k < species.size(); ++k)
      if (stiffness[k])
      {
        const auto label = species[k].diffusivity_by_label.find(cell->material_id());
        const double d = label == species[k].diffusivity_by_label.end()
                             ? species[k].diffusivity
                             : label->second;
        cell_stiffness.equ(d, cell_laplace);
        // With the lumped mass, for non-negative values: Q1 stiffness has positive
        // couplings on stretched cells (aspect ratio above sqrt 2).
        if (lumped_mass)
          remove_positive_couplings(cell_stiffness);
        constraints.distribute_local_to_global(cell_stiffness, indices, *stiffness[k]);
      }
  }
  mass.compress(VectorOperation::add);
  if (lumped_mass)
  {
    // Row sums of the assembled (hanging-node condensed) mass on the diagonal: the
    // integrals of the conforming basis functions, positive for Q1, and no off-diagonal
    // mass couplings at hanging nodes.
    LA::MPI::Vector ones(space->locally_owned, comm),
        row_sums(space->locally_owned, comm);
    ones = 1.0;
    mass.vmult(row_sums, ones);
    mass = 0;
    for (const auto row : space->locally_owned)
      mass.set(row, row, row_sums(row));
    mass.compress(VectorOperation::insert);
  }
  for (auto &matrix : stiffness)
    if (matrix)
      matrix->compress(VectorOperation::add);
  node_volume.compress(VectorOperation::add);
  node_volume.update_ghost_values();
  substep_hint.reinit(node_volume);
  substep_hint = -1.0;
  assembled_dt = -1;
  const unsigned int n_species = species.size();
  for (std::vector<double> *v :
       {&scratch.rates, &scratch.shifted, &scratch.shifted_rates, &scratch.correction,
        &scratch.first, &scratch.base, &scratch.y, &scratch.full, &scratch.half,
        &scratch.twice})
    v->assign(n_species, 0.0);
  scratch.jacobian.assign(n_species * n_species, 0.0);
  scratch.step_matrix.resize(n_species);
  scratch.half_matrix.resize(n_species);
}

void ReactionDiffusionSystem::register_state(ModuleState &state)
{
  for (unsigned int k = 0; k < species.size(); ++k)
    state.add_vector(species[k].name, space->dof_handler, nodal[k]);
  state.add_vector("reaction substep hints", space->dof_handler, substep_hint);
  state.add_record([this](StateArchive &archive)
                   { archive &n_reaction_substeps &n_linear_iterations; });
}

void ReactionDiffusionSystem::set_values(unsigned int k, const FieldVector &owned_values)
{
  copy_owned_values(owned_values, u);
  constraints.distribute(u);
  copy_owned_values(u, nodal[k]);
  nodal[k].update_ghost_values();
}

void ReactionDiffusionSystem::step(double t, double dt, const Kinetics &kinetics,
                                   const Jacobian &jacobian)
{
  react(t, 0.5 * dt, kinetics, jacobian);
  diffuse(dt);
  react(t + 0.5 * dt, 0.5 * dt, kinetics, jacobian);
}

void ReactionDiffusionSystem::assemble_diffusion(double dt)
{
  for (unsigned int k = 0; k < species.size(); ++k)
    if (system[k] && !transport[k])
    {
      system[k]->copy_from(mass);
      system[k]->add(sdirk_gamma * dt, *stiffness[k]);
      solvers[k]->matrix_changed();
    }
  assembled_dt = dt;
}

void ReactionDiffusionSystem::assemble_chemotaxis(unsigned int k)
{
  const Species &s = species[k];
  const FieldVector &attractant = nodal[s.attractant];
  FEValues<3> fe_values(*space->mapping, space->fe, space->cell_quadrature,
                        update_values | update_gradients | update_JxW_values);
  const unsigned int n = space->fe.n_dofs_per_cell();
  FullMatrix<double> cell_operator(n, n);
  std::vector<Tensor<1, 3>> gradients(fe_values.n_quadrature_points);
  std::vector<types::global_dof_index> indices(n);
  LA::MPI::SparseMatrix &matrix = *transport[k];
  matrix = 0;
  for (const auto &cell : space->dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned())
      continue;
    fe_values.reinit(cell);
    cell->get_dof_indices(indices);
    fe_values.get_function_gradients(attractant, gradients);
    const auto label = s.diffusivity_by_label.find(cell->material_id());
    const double d =
        label == s.diffusivity_by_label.end() ? s.diffusivity : label->second;
    // l_ij = (D grad phi_j, grad phi_i) - (phi_j chi grad u_a, grad phi_i).
    cell_operator = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
    {
      const Tensor<1, 3> drift = s.chemotaxis * gradients[q];
      for (unsigned int i = 0; i < n; ++i)
      {
        const Tensor<1, 3> grad_i = fe_values.shape_grad(i, q);
        const double drift_i = drift * grad_i;
        for (unsigned int j = 0; j < n; ++j)
          cell_operator(i, j) += (d * (fe_values.shape_grad(j, q) * grad_i) -
                                  fe_values.shape_value(j, q) * drift_i) *
                                 fe_values.JxW(q);
      }
    }
    remove_positive_couplings(cell_operator);
    constraints.distribute_local_to_global(cell_operator, indices, matrix);
  }
  matrix.compress(VectorOperation::add);
}

// M du/dt = -L u by SDIRK2: (M + g dt L) U1 = M u, (M + g dt L) U2 = M u - (1-g) dt L U1,
// with L = K (diffusion) or the upwinded chemotaxis operator.
void ReactionDiffusionSystem::diffuse(double dt)
{
  if (dt != assembled_dt)
    assemble_diffusion(dt);
  for (unsigned int k = 0; k < species.size(); ++k)
    if (transport[k])
    {
      assemble_chemotaxis(k);
      system[k]->copy_from(mass);
      system[k]->add(sdirk_gamma * dt, *transport[k]);
      solvers[k]->matrix_changed();
    }
  for (unsigned int k = 0; k < species.size(); ++k)
    if (system[k])
    {
      const LA::MPI::SparseMatrix &operator_k =
          transport[k] ? *transport[k] : *stiffness[k];
      copy_owned_values(nodal[k], u);
      mass.vmult(work, u);
      rhs = work;
      u_stage = u;
      n_linear_iterations +=
          solvers[k]->solve(*system[k], *system[k], u_stage, rhs, "Immune: diffusion");
      constraints.distribute(u_stage);
      operator_k.vmult(rhs, u_stage);
      rhs.sadd(-(1 - sdirk_gamma) * dt, 1.0, work);
      n_linear_iterations +=
          solvers[k]->solve(*system[k], *system[k], u_stage, rhs, "Immune: diffusion");
      constraints.distribute(u_stage);
      copy_owned_values(u_stage, nodal[k]);
      nodal[k].update_ghost_values();
    }
}

// Newton for y = base + h_gamma R(time, y) with the LU factors of I - h_gamma J, J the
// Jacobian at the start of the substep (simplified Newton, Hairer & Wanner 1996).
bool ReactionDiffusionSystem::stage(unsigned int node, double time, double h_gamma,
                                    const Kinetics &kinetics, const DenseLU &newton,
                                    const std::vector<double> &base,
                                    std::vector<double> &y,
                                    const std::vector<double> &scale)
{
  const unsigned int n = species.size();
  std::vector<double> &rates = scratch.rates, &correction = scratch.correction;
  double previous_size = 0;
  for (unsigned int iteration = 0; iteration < 20; ++iteration)
  {
    kinetics(node, time, y.data(), rates.data());
    for (unsigned int i = 0; i < n; ++i)
      correction[i] = base[i] + h_gamma * rates[i] - y[i];
    newton.solve(correction.data());
    double size = 0;
    for (unsigned int i = 0; i < n; ++i)
    {
      y[i] += correction[i];
      size = std::max(size, std::abs(correction[i]) / (scale[i] + std::abs(y[i])));
    }
    if (!std::isfinite(size))
      return false;
    if (size <= 1e-3 * tolerance)
      return true;
    // Linear convergence of the simplified iteration at the rate theta: the remaining
    // error is about theta/(1 - theta) times the last correction (Hairer & Wanner 1996,
    // IV.8).
    if (iteration > 0)
    {
      const double theta = size / previous_size;
      if (theta >= 1)
        return false;
      if (theta / (1 - theta) * size <= 1e-3 * tolerance)
        return true;
    }
    previous_size = size;
  }
  return false;
}

// One SDIRK2 step of the nodal ODE from `start` over h; false if Newton failed.
bool ReactionDiffusionSystem::sdirk_step(unsigned int node, double t, double h,
                                         const Kinetics &kinetics, const DenseLU &newton,
                                         const std::vector<double> &start,
                                         std::vector<double> &end,
                                         const std::vector<double> &scale)
{
  const unsigned int n = species.size();
  std::vector<double> &first = scratch.first, &base = scratch.base;
  first = start;
  if (!stage(node, t + sdirk_gamma * h, sdirk_gamma * h, kinetics, newton, start, first,
             scale))
    return false;
  kinetics(node, t + sdirk_gamma * h, first.data(), scratch.rates.data());
  for (unsigned int i = 0; i < n; ++i)
    base[i] = start[i] + (1 - sdirk_gamma) * h * scratch.rates[i];
  end = first;
  return stage(node, t + h, sdirk_gamma * h, kinetics, newton, base, end, scale);
}

// The Jacobian dR/dy at y (analytic, or by finite differences) into scratch.jacobian.
void ReactionDiffusionSystem::evaluate_jacobian(unsigned int node, double time,
                                                const Kinetics &kinetics,
                                                const Jacobian &analytic_jacobian,
                                                const std::vector<double> &y,
                                                const std::vector<double> &scale)
{
  const unsigned int n = species.size();
  std::vector<double> &jacobian = scratch.jacobian;
  if (analytic_jacobian)
  {
    analytic_jacobian(node, time, y.data(), jacobian.data());
    return;
  }
  kinetics(node, time, y.data(), scratch.rates.data());
  for (unsigned int j = 0; j < n; ++j)
  {
    scratch.shifted = y;
    // scale / tolerance is the species' largest value; the floor keeps an all-zero
    // species' difference quotient away from denormal numbers.
    const double delta = 1e-7 * std::max({std::abs(y[j]), scale[j] / tolerance, 1e-200});
    scratch.shifted[j] += delta;
    kinetics(node, time, scratch.shifted.data(), scratch.shifted_rates.data());
    for (unsigned int i = 0; i < n; ++i)
      jacobian[i * n + j] = (scratch.shifted_rates[i] - scratch.rates[i]) / delta;
  }
}

void ReactionDiffusionSystem::react(double t, double dt, const Kinetics &kinetics,
                                    const Jacobian &jacobian)
{
  const unsigned int n = species.size();
  const MPI_Comm comm = space->dof_handler.get_communicator();
  // Absolute tolerances from each species' largest value.
  std::vector<double> scale(n);
  for (unsigned int k = 0; k < n; ++k)
    scale[k] = std::max(nodal[k].linfty_norm(), 1e-300) * tolerance;
  std::vector<double> &y = scratch.y, &full = scratch.full, &half = scratch.half,
                      &twice = scratch.twice;
  unsigned int substeps = 0;
  for (unsigned int node = 0; node < node_volume.locally_owned_size(); ++node)
  {
    for (unsigned int k = 0; k < n; ++k)
      y[k] = nodal[k].local_element(node);
    // Substeps: start from the last accepted size at this node; the error of the
    // two-half-step solution is ~ (twice - full) / 3 (second order).
    double proposal =
        substep_hint.local_element(node) > 0 ? substep_hint.local_element(node) : dt;
    double done = 0;
    unsigned int rejections = 0;
    while (done < dt * (1 - 1e-12))
    {
      const double h = std::min(proposal, dt - done);
      double error = std::numeric_limits<double>::infinity();
      // One Jacobian per substep; I - gamma h J for the step, I - gamma h/2 J for its
      // halves.
      evaluate_jacobian(node, t + done, kinetics, jacobian, y, scale);
      if (scratch.step_matrix.factor(scratch.jacobian, sdirk_gamma * h) &&
          scratch.half_matrix.factor(scratch.jacobian, 0.5 * sdirk_gamma * h) &&
          sdirk_step(node, t + done, h, kinetics, scratch.step_matrix, y, full, scale) &&
          sdirk_step(node, t + done, 0.5 * h, kinetics, scratch.half_matrix, y, half,
                     scale) &&
          sdirk_step(node, t + done + 0.5 * h, 0.5 * h, kinetics, scratch.half_matrix,
                     half, twice, scale))
      {
        error = 0;
        for (unsigned int k = 0; k < n; ++k)
          error = std::max(error, std::abs(twice[k] - full[k]) / 3 /
                                      (scale[k] + tolerance * std::abs(twice[k])));
      }
      const double factor =
          error > 0 ? std::clamp(0.9 * std::pow(error, -1.0 / 3.0), 0.2, 4.0) : 4.0;
      if (error <= 1)
      {
        // Local extrapolation: third order; the estimate bounds the second-order error.
        // Where it would turn a non-negative value negative (a decaying species near
        // 0), the second-order value stays: the kinetics are quasi-positive.
        for (unsigned int k = 0; k < n; ++k)
        {
          const double extrapolated = twice[k] + (twice[k] - full[k]) / 3;
          y[k] = extrapolated < 0 && twice[k] >= 0 ? twice[k] : extrapolated;
        }
        done += h;
        ++substeps;
        // A step cut short by the end of the interval does not shrink the proposal.
        proposal = h < proposal ? std::max(proposal, h * factor) : h * factor;
      }
      else
      {
        proposal = h * factor;
        if (++rejections > 60)
          throw std::runtime_error("Immune: the reaction integration failed at a node "
                                   "(substep " +
                                   std::to_string(h) + " s); check the rates");
      }
    }
    substep_hint.local_element(node) = proposal;
    for (unsigned int k = 0; k < n; ++k)
      nodal[k].local_element(node) = y[k];
  }
  n_reaction_substeps += Utilities::MPI::sum(substeps, comm);
  // Hanging nodes follow their masters again.
  for (unsigned int k = 0; k < n; ++k)
  {
    copy_owned_values(nodal[k], u);
    constraints.distribute(u);
    copy_owned_values(u, nodal[k]);
    nodal[k].update_ghost_values();
  }
}

double ReactionDiffusionSystem::total(unsigned int k) const
{
  double sum = 0;
  for (unsigned int i = 0; i < node_volume.locally_owned_size(); ++i)
    sum += node_volume.local_element(i) * nodal[k].local_element(i);
  return Utilities::MPI::sum(sum, space->dof_handler.get_communicator());
}

double ReactionDiffusionSystem::minimum(unsigned int k) const
{
  double value = std::numeric_limits<double>::max();
  for (unsigned int i = 0; i < nodal[k].locally_owned_size(); ++i)
    value = std::min(value, nodal[k].local_element(i));
  return Utilities::MPI::min(value, space->dof_handler.get_communicator());
}

double ReactionDiffusionSystem::maximum(unsigned int k) const
{
  double value = std::numeric_limits<double>::lowest();
  for (unsigned int i = 0; i < nodal[k].locally_owned_size(); ++i)
    value = std::max(value, nodal[k].local_element(i));
  return Utilities::MPI::max(value, space->dof_handler.get_communicator());
}
} // namespace ferrotherm
