// Preconditioned CG with preconditioner reuse (see scalar_linear_solver.h).
#include "core/scalar_linear_solver.h"

#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/solver_gmres.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ferrotherm
{
using namespace dealii;

#ifdef FERROTHERM_USE_TRILINOS
using PreconditionerBase = TrilinosWrappers::PreconditionBase;
#else
using PreconditionerBase = PETScWrappers::PreconditionBase;
#endif

struct ScalarLinearSolver::Preconditioner
{
  std::unique_ptr<PreconditionerBase> object;
};

ScalarLinearSolver::ScalarLinearSolver()
    : preconditioner(std::make_unique<Preconditioner>()), preconditioner_name("amg"),
      tolerance(1e-8), max_iterations(1000), higher_order_elements(false),
      preconditioner_is_current(false), n_setups(0)
{
}

ScalarLinearSolver::~ScalarLinearSolver() = default;

void ScalarLinearSolver::declare_parameters(ParameterHandler &prm,
                                            const std::string &default_preconditioner,
                                            const std::string &default_tolerance)
{
  prm.declare_entry(
      "Preconditioner", default_preconditioner,
      Patterns::Selection("amg|jacobi|ssor|block ilu"),
      "Preconditioner of the conjugate-gradient solver, built once and reused "
      "while the matrix is unchanged. 'amg': algebraic multigrid (hypre "
      "BoomerAMG with strong threshold 0.5 for 3D, or Trilinos ML); 'jacobi' and "
      "'ssor' are cheap and win when the system is mass-dominated (small time "
      "steps); 'block ilu': ILU(0) on each MPI rank's block (of the matrix scaled to "
      "unit largest row sum, so that small cells and long steps give no false zero "
      "pivots).");
  prm.declare_entry(
      "Relative tolerance", default_tolerance, Patterns::Double(1e-16, 1),
      "Stop when the unpreconditioned residual |b - A x| is this fraction of the "
      "residual of the initial guess (the extrapolated state of a time step), not of "
      "|b|: the algebraic error is then a small fraction of the step's change, whatever "
      "the absolute level of the field. Never below the round-off level 1e-13 |b|.");
  prm.declare_entry("Maximum iterations", "1000", Patterns::Integer(1),
                    "Iteration limit of the conjugate-gradient solver; reaching it is an "
                    "error.");
}

void ScalarLinearSolver::parse_parameters(ParameterHandler &prm)
{
  preconditioner_name = prm.get("Preconditioner");
  tolerance = prm.get_double("Relative tolerance");
  max_iterations = prm.get_integer("Maximum iterations");
  preconditioner_is_current = false;
}

namespace
{
// Relative round-off level of a residual |b - A x| computed in double precision.
constexpr double roundoff_level = 1e-13;

#ifndef FERROTHERM_USE_TRILINOS
// Symmetric SOR sweeps within each rank's block (PETSc's SOR on parallel matrices
// supports local sweeps only; deal.II's PreconditionSSOR asks for a global one).
class LocalSymmetricSor : public PETScWrappers::PreconditionBase
{
public:
  LocalSymmetricSor(const PETScWrappers::MatrixBase &system, double omega)
  {
    matrix = static_cast<Mat>(system);
    create_pc();
    PetscErrorCode ierr = PCSetType(pc, PCSOR);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSORSetSymmetric(pc, SOR_LOCAL_SYMMETRIC_SWEEP);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSORSetOmega(pc, omega);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetUp(pc);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
  }
};

// ILU(0) on each rank's block of the matrix scaled to unit largest row sum. PETSc takes a
// pivot below 2.2e-14 in absolute value as zero, and the entries of a transport system in
// SI units (cell volume / time step ~ 1e-13 for 0.2 mm cells and 60 s) lie below that:
// the unscaled factorisation breaks down with NaN. Scaling the preconditioner's matrix by
// a constant changes nothing else (Krylov methods are invariant under it).
class ScaledBlockIlu : public PETScWrappers::PreconditionBase
{
public:
  explicit ScaledBlockIlu(const PETScWrappers::MatrixBase &system)
  {
    PetscErrorCode ierr =
        MatDuplicate(static_cast<Mat>(system), MAT_COPY_VALUES, &scaled_matrix);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    const double largest_row_sum = system.linfty_norm();
    if (largest_row_sum > 0 && std::isfinite(largest_row_sum))
    {
      ierr = MatScale(scaled_matrix, 1.0 / largest_row_sum);
      AssertThrow(ierr == 0, ExcPETScError(ierr));
    }
    matrix = scaled_matrix;
    create_pc();
    ierr = PCSetType(pc, PCBJACOBI);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetUp(pc);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
  }
  ~ScaledBlockIlu() override { MatDestroy(&scaled_matrix); }

private:
  Mat scaled_matrix = nullptr;
};
#endif

std::unique_ptr<PreconditionerBase>
make_preconditioner(const std::string &name, const LA::MPI::SparseMatrix &matrix,
                    bool higher_order_elements, bool symmetric)
{
#ifdef FERROTHERM_USE_TRILINOS
  if (name == "amg")
  {
    auto amg = std::make_unique<TrilinosWrappers::PreconditionAMG>();
    TrilinosWrappers::PreconditionAMG::AdditionalData data;
    data.elliptic = symmetric;
    data.higher_order_elements = higher_order_elements;
    data.smoother_sweeps = 2;
    data.aggregation_threshold = 0.02;
    amg->initialize(matrix, data);
    return amg;
  }
  if (name == "jacobi")
  {
    auto jacobi = std::make_unique<TrilinosWrappers::PreconditionJacobi>();
    jacobi->initialize(matrix);
    return jacobi;
  }
  if (name == "ssor")
  {
    auto ssor = std::make_unique<TrilinosWrappers::PreconditionSSOR>();
    ssor->initialize(matrix, TrilinosWrappers::PreconditionSSOR::AdditionalData(1.2));
    return ssor;
  }
  auto ilu = std::make_unique<TrilinosWrappers::PreconditionILU>();
  ilu->initialize(matrix);
  return ilu;
#else
  (void)higher_order_elements;
  if (name == "amg")
  {
    PETScWrappers::PreconditionBoomerAMG::AdditionalData data;
    data.symmetric_operator = symmetric;
    data.strong_threshold = 0.5; // 3D setting (hypre's default 0.25 suits 2D)
    data.aggressive_coarsening_num_levels = 0;
    return std::make_unique<PETScWrappers::PreconditionBoomerAMG>(matrix, data);
  }
  if (name == "jacobi")
    return std::make_unique<PETScWrappers::PreconditionJacobi>(matrix);
  if (name == "ssor")
    return std::make_unique<LocalSymmetricSor>(matrix, 1.2);
  return std::make_unique<ScaledBlockIlu>(matrix);
#endif
}
} // namespace

unsigned int ScalarLinearSolver::solve(const LA::MPI::SparseMatrix &matrix,
                                       const LA::MPI::SparseMatrix &preconditioner_matrix,
                                       LA::MPI::Vector &solution,
                                       const LA::MPI::Vector &right_hand_side,
                                       const std::string &context,
                                       double relative_tolerance_override,
                                       double absolute_floor)
{
  // A matrix of another size (a new mesh) always needs a new preconditioner.
  if (!preconditioner_is_current || preconditioner_matrix.m() != preconditioner_rows)
  {
    preconditioner_rows = preconditioner_matrix.m();
    preconditioner->object.reset();
    preconditioner->object = make_preconditioner(
        preconditioner_name, preconditioner_matrix, higher_order_elements, !use_gmres);
    preconditioner_is_current = true;
    ++n_setups;
  }
  const double rhs_norm = right_hand_side.l2_norm();
  if (!std::isfinite(rhs_norm))
    throw std::runtime_error(
        context + ": the right-hand side is not finite (NaN or infinity): a source, a "
                  "coefficient or a coupled field is not finite; check the input for "
                  "values out of any physical range");
  const double relative =
      relative_tolerance_override > 0 ? relative_tolerance_override : tolerance;
  const double floor = std::max(absolute_floor, roundoff_level * rhs_norm);
  if (floor == 0)
  {
    solution = 0;
    return 0;
  }
  // The target is fixed at the first iteration: relative * |b - A x0|, not below floor.
  ReductionControl control(max_iterations, floor, relative, false, false);
  try
  {
    if (use_gmres)
    {
      SolverGMRES<LA::MPI::Vector> gmres(
          control, SolverGMRES<LA::MPI::Vector>::AdditionalData(50, true));
      gmres.solve(matrix, solution, right_hand_side, *preconditioner->object);
    }
    else
    {
      SolverCG<LA::MPI::Vector> cg(control);
      cg.solve(matrix, solution, right_hand_side, *preconditioner->object);
    }
  }
  catch (const SolverControl::NoConvergence &failure)
  {
    std::ostringstream message;
    message << context << ": the " << (use_gmres ? "GMRES" : "conjugate-gradient")
            << " solver (" << preconditioner_name << " preconditioner) ";
    if (!std::isfinite(failure.last_residual))
      message << "broke down: the residual is " << failure.last_residual << " after "
              << failure.last_step
              << " iteration(s). The preconditioner failed on this matrix (an "
                 "incomplete factorisation can meet a zero or negative pivot on "
                 "badly scaled systems: choose 'Preconditioner = amg' or 'jacobi'), or "
                 "the matrix holds non-finite coefficients (check the input for values "
                 "out of any physical range).";
    else
      message << "did not converge: residual " << failure.last_residual << " after "
              << failure.last_step << " iterations, target "
              << std::max(relative * control.initial_value(), floor) << " (" << relative
              << " of the initial residual " << control.initial_value()
              << "). The preconditioner is too weak for this "
                 "system (large time steps, fine or distorted cells, strong advection): "
                 "choose 'Preconditioner = amg', or raise 'Maximum iterations'.";
    throw std::runtime_error(message.str());
  }
  return control.last_step();
}
} // namespace ferrotherm
