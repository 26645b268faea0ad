// The sparse linear-algebra backend, chosen at configure time: PETSc (default) or
// Trilinos (-DFERROTHERM_USE_TRILINOS=ON). Code uses LA::MPI::Vector / SparseMatrix and
// the helpers below, never a backend directly.
#pragma once

#include <deal.II/lac/generic_linear_algebra.h>
#include <deal.II/lac/la_parallel_vector.h>

namespace ferrotherm
{
namespace LA
{
#ifdef FERROTHERM_USE_TRILINOS
using namespace dealii::LinearAlgebraTrilinos;
#else
using namespace dealii::LinearAlgebraPETSc;
#endif
} // namespace LA

// Field storage between solves: deal.II's own distributed vector (fast local access).
using FieldVector = dealii::LinearAlgebra::distributed::Vector<double>;

// Copies the locally owned entries (same parallel layout) in either direction. Ghost
// values of a FieldVector destination are not updated.
void copy_owned_values(const LA::MPI::Vector &source, FieldVector &destination);
void copy_owned_values(const FieldVector &source, LA::MPI::Vector &destination);

// Name of the backend, for logs.
const char *linear_algebra_backend();
} // namespace ferrotherm
