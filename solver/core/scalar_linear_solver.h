// ScalarLinearSolver: preconditioned CG for the symmetric positive definite systems of
// the scalar fields (heat), or GMRES for nonsymmetric ones (stabilised MNP transport).
// The preconditioner (AMG with 3D settings, Jacobi, SSOR or block ILU) is built on first
// use and reused until the owner reports a matrix change. The initial guess is the
// incoming x (warm start: the extrapolated state of a time step), and the stopping test
// is on the unpreconditioned residual relative to the residual of that start,
//   |b - A x| <= max(tolerance |b - A x0|, 1e-13 |b|, absolute floor),
// so the algebraic error is a small fraction of the step's change (which is of the order
// of the time-discretisation error) however large the absolute level of the field (a test
// relative to |b| is met by the start alone when b is dominated by 37 deg C). The 1e-13
// |b| floor is the round-off level of the residual.
#pragma once

#include "core/linear_algebra.h"
#include "core/state_archive.h"

#include <deal.II/base/parameter_handler.h>

#include <memory>
#include <string>

namespace ferrotherm
{
class ScalarLinearSolver
{
public:
  ScalarLinearSolver();
  ~ScalarLinearSolver();

  // Declares "Preconditioner", "Relative tolerance", "Maximum iterations" in the
  // current subsection.
  static void declare_parameters(dealii::ParameterHandler &prm,
                                 const std::string &default_preconditioner,
                                 const std::string &default_tolerance = "1e-8");
  void parse_parameters(dealii::ParameterHandler &prm);

  // `higher_order`: the FE degree is above 1 (tunes Trilinos ML).
  void set_higher_order(bool higher_order) { higher_order_elements = higher_order; }

  // Nonsymmetric systems (stabilised advection): GMRES instead of CG.
  void set_nonsymmetric(bool nonsymmetric) { use_gmres = nonsymmetric; }

  // The next solve rebuilds the preconditioner.
  void matrix_changed() { preconditioner_is_current = false; }

  // Solves A x = b from the incoming x to |b - A x| <= max(tolerance * |b - A x0|,
  // 1e-13 |b|, absolute_floor), where the tolerance is `relative_tolerance_override` if
  // positive, else the parameter. The
  // preconditioner is built from `preconditioner_matrix` (e.g. the linear part of a
  // Newton matrix) when it is not current. Returns the number of iterations; throws
  // std::runtime_error naming `context` when the solver does not converge.
  unsigned int solve(const LA::MPI::SparseMatrix &matrix,
                     const LA::MPI::SparseMatrix &preconditioner_matrix,
                     LA::MPI::Vector &solution, const LA::MPI::Vector &right_hand_side,
                     const std::string &context, double relative_tolerance_override = -1,
                     double absolute_floor = 0.0);

  double relative_tolerance() const { return tolerance; }
  unsigned int preconditioner_setups() const { return n_setups; }
  // The set-up count continues across a restart (which rebuilds the preconditioner
  // once more).
  void serialize(StateArchive &archive) { archive &n_setups; }

private:
  struct Preconditioner;
  std::unique_ptr<Preconditioner> preconditioner;
  std::string preconditioner_name;
  double tolerance;
  unsigned int max_iterations;
  bool higher_order_elements;
  bool preconditioner_is_current;
  bool use_gmres = false;
  unsigned int n_setups;
  dealii::types::global_dof_index preconditioner_rows = 0;
};
} // namespace ferrotherm
