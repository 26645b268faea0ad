// ScalarSpace: the one continuous FE_Q space shared by all scalar fields on the tissue
// mesh (temperature, iron, immune species): DoFHandler, mapping, index sets, hanging-
// node constraints and the default quadratures. On meshes with curved manifolds the
// mapping is a cached MappingQ of degree max(2, element degree) (trilinear otherwise):
// curved tissue interfaces keep the element's order, and
// for trilinear elements the quadratic geometry cuts the error of a heated tumour ~8x
// (the injected power no longer depends on a polyhedral tumour volume).
#pragma once

#include "core/linear_algebra.h"

#include <deal.II/base/index_set.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>

#include <memory>

namespace dealii
{
class DynamicSparsityPattern;
}

namespace ferrotherm
{
class ScalarSpace
{
public:
  ScalarSpace(const dealii::parallel::distributed::Triangulation<3> &triangulation,
              unsigned int degree);
  ~ScalarSpace();

  // (Re)distributes the degrees of freedom after a mesh change.
  void setup();

  // A ghosted field vector on this space.
  FieldVector make_field_vector() const;

  // The coupling pattern of the locally relevant DoFs under `constraints` (entries the
  // constraints eliminate are not kept), distributed for a matrix of the owned rows.
  void make_sparsity_pattern(const dealii::AffineConstraints<double> &constraints,
                             dealii::DynamicSparsityPattern &pattern) const;

  const dealii::FE_Q<3> fe;
  dealii::DoFHandler<3> dof_handler;
  std::unique_ptr<dealii::Mapping<3>> mapping;
  dealii::IndexSet locally_owned;
  dealii::IndexSet locally_relevant;
  dealii::AffineConstraints<double> hanging_node_constraints;
  const dealii::QGauss<3> cell_quadrature;
  const dealii::QGauss<2> face_quadrature;
  std::shared_ptr<const dealii::Utilities::MPI::Partitioner> partitioner;
};
} // namespace ferrotherm
