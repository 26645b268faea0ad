// DirichletLifting: the right-hand side of Dirichlet data that change in time, so that a
// step needs neither a new matrix nor a new preconditioner. The BDF step
//   sum_j [(a0/dt) M_ij + K_ij] u_j = f_i - sum_j M_ij (a1 u^n_j + a2 u^(n-1)_j) / dt
// is assembled with homogeneous constraints (the constrained columns dropped, hanging
// nodes condensed). Moving the constrained columns j to the right-hand side gives, for
// the free rows i,
//   l_i = - sum_j [K_ij g_j + M_ij (a0 g_j + a1 g^n_j + a2 g^(n-1)_j) / dt],
// with g_j the inhomogeneity of dof j at t_(n+1) and g^n_j = u^n_j - sum_k w_jk u^n_k the
// one each history level was solved with (w_jk: the constraint's weights). This is what
// AffineConstraints::distribute_local_to_global does for the stiffness part when the data
// are constant; with data that change, the mass part no longer vanishes
// ((a0 + a1 + a2) g = 0 only for constant g). The cell matrices of the cells touching
// Dirichlet dofs are kept, so l costs one pass over those cells. The same matrices give
// the sum of the residuals of the Dirichlet rows: the flow through those boundaries.
#pragma once

#include "core/linear_algebra.h"
#include "core/parsed_function.h"
#include "core/scalar_space.h"

#include <deal.II/base/types.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/full_matrix.h>

#include <map>
#include <set>
#include <vector>

namespace ferrotherm
{
// Values at time t of one expression per boundary id at the dofs of those boundaries
// (locally relevant): the Dirichlet data of a scalar field.
void interpolate_boundary_expressions(
    const std::map<dealii::types::boundary_id, const ParsedFunction *> &functions,
    const dealii::Mapping<3, 3> &mapping, const dealii::DoFHandler<3, 3> &dof_handler,
    double time, std::map<dealii::types::global_dof_index, double> &values);

// Closes `constraints` as the hanging-node constraints of `space` plus u_j = values[j]
// (u_j = 0 if `homogeneous`) on the Dirichlet dofs that do not hang (a hanging node
// keeps its hanging-node constraint); `owned_rows`, if given, receives the locally owned
// Dirichlet rows.
void make_dirichlet_constraints(
    const std::map<dealii::types::global_dof_index, double> &values,
    const ScalarSpace &space, bool homogeneous,
    dealii::AffineConstraints<double> &constraints,
    std::vector<dealii::types::global_dof_index> *owned_rows = nullptr);

class DirichletLifting
{
public:
  using Index = dealii::types::global_dof_index;

  // `dirichlet`: the Dirichlet dofs (locally relevant); `hanging`: the closed hanging-
  // node constraints. Kept are the cells with a Dirichlet dof or a hanging dof that has a
  // Dirichlet master (whose inhomogeneity then follows the data).
  void reinit(const std::map<Index, double> &dirichlet,
              const dealii::AffineConstraints<double> &hanging);
  // Keeps the cell's unconstrained matrices if the cell touches Dirichlet data.
  void add_cell(const std::vector<Index> &indices, const dealii::FullMatrix<double> &mass,
                const dealii::FullMatrix<double> &stiffness);

  // rhs += l for the inhomogeneities of `constraints` (at t_(n+1)); mass_history: the
  // ghosted vector (a1 u^n + a2 u^(n-1)) / dt, or nullptr for a steady solve;
  // mass_factor = a0 / dt. Rows are distributed with the homogeneous `zero_constraints`.
  void add_lifting(const dealii::AffineConstraints<double> &constraints,
                   double mass_factor, const FieldVector *mass_history,
                   const dealii::AffineConstraints<double> &zero_constraints,
                   LA::MPI::Vector &rhs) const;

  // Sum over the rows i in `rows` of sum_j (M_ij m_j + K_ij s_j) with the unconstrained
  // cell matrices (ghosted m, s); this rank's cells only.
  double row_sum(const std::map<Index, double> &rows, const FieldVector &m,
                 const FieldVector &s) const;

private:
  struct Cell
  {
    std::vector<Index> indices;
    dealii::FullMatrix<double> mass, stiffness;
  };
  std::set<Index> influenced;
  std::vector<Cell> cells;
};
} // namespace ferrotherm
