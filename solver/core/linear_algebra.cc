// Backend-specific copies between solver vectors and field vectors.
#include "core/linear_algebra.h"

#include <deal.II/base/exceptions.h>

namespace ferrotherm
{
#ifdef FERROTHERM_USE_TRILINOS
void copy_owned_values(const LA::MPI::Vector &source, FieldVector &destination)
{
  const Epetra_MultiVector &values = source.trilinos_vector();
  AssertDimension(static_cast<unsigned int>(values.MyLength()),
                  destination.locally_owned_size());
  for (unsigned int i = 0; i < destination.locally_owned_size(); ++i)
    destination.local_element(i) = values[0][i];
}

void copy_owned_values(const FieldVector &source, LA::MPI::Vector &destination)
{
  Epetra_MultiVector &values = destination.trilinos_vector();
  AssertDimension(static_cast<unsigned int>(values.MyLength()),
                  source.locally_owned_size());
  for (unsigned int i = 0; i < source.locally_owned_size(); ++i)
    values[0][i] = source.local_element(i);
}

const char *linear_algebra_backend() { return "Trilinos"; }
#else
void copy_owned_values(const LA::MPI::Vector &source, FieldVector &destination)
{
  const PetscScalar *values = nullptr;
  PetscErrorCode ierr = VecGetArrayRead(source, &values);
  AssertThrow(ierr == 0, dealii::ExcPETScError(ierr));
  for (unsigned int i = 0; i < destination.locally_owned_size(); ++i)
    destination.local_element(i) = values[i];
  ierr = VecRestoreArrayRead(source, &values);
  AssertThrow(ierr == 0, dealii::ExcPETScError(ierr));
}

void copy_owned_values(const FieldVector &source, LA::MPI::Vector &destination)
{
  PetscScalar *values = nullptr;
  PetscErrorCode ierr = VecGetArray(destination, &values);
  AssertThrow(ierr == 0, dealii::ExcPETScError(ierr));
  for (unsigned int i = 0; i < source.locally_owned_size(); ++i)
    values[i] = source.local_element(i);
  ierr = VecRestoreArray(destination, &values);
  AssertThrow(ierr == 0, dealii::ExcPETScError(ierr));
}

const char *linear_algebra_backend() { return "PETSc"; }
#endif
} // namespace ferrotherm
