// ScalarSpace (see scalar_space.h).
#include "core/scalar_space.h"

#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>

#include <algorithm>

namespace ferrotherm
{
using namespace dealii;

ScalarSpace::ScalarSpace(const parallel::distributed::Triangulation<3> &triangulation,
                         unsigned int degree)
    : fe(degree), dof_handler(triangulation), cell_quadrature(degree + 1),
      face_quadrature(degree + 1)
{
}

ScalarSpace::~ScalarSpace() = default;

void ScalarSpace::setup()
{
  dof_handler.distribute_dofs(fe);
  locally_owned = dof_handler.locally_owned_dofs();
  DoFTools::extract_locally_relevant_dofs(dof_handler, locally_relevant);
  hanging_node_constraints.clear();
  hanging_node_constraints.reinit(locally_relevant);
  DoFTools::make_hanging_node_constraints(dof_handler, hanging_node_constraints);
  hanging_node_constraints.close();
  partitioner = std::make_shared<Utilities::MPI::Partitioner>(
      locally_owned, locally_relevant, dof_handler.get_communicator());

  // The cache evaluates the manifolds once per cell instead of at every reinit().
  // Trilinear geometry is exact where no manifold curves the mesh (boxes, voxel and
  // Gmsh meshes); curved tissue surfaces get degree max(2, p).
  const auto manifold_ids = dof_handler.get_triangulation().get_manifold_ids();
  const bool curved =
      std::any_of(manifold_ids.begin(), manifold_ids.end(),
                  [](types::manifold_id id) { return id != numbers::flat_manifold_id; });
  const unsigned int mapping_degree = curved ? std::max(2u, fe.degree) : 1;
  auto cache = std::make_unique<MappingQCache<3>>(mapping_degree);
  cache->initialize(MappingQ<3>(mapping_degree), dof_handler.get_triangulation());
  mapping = std::move(cache);
}

FieldVector ScalarSpace::make_field_vector() const { return FieldVector(partitioner); }

void ScalarSpace::make_sparsity_pattern(const AffineConstraints<double> &constraints,
                                        DynamicSparsityPattern &pattern) const
{
  pattern.reinit(locally_relevant.size(), locally_relevant.size(), locally_relevant);
  DoFTools::make_sparsity_pattern(dof_handler, pattern, constraints, false);
  SparsityTools::distribute_sparsity_pattern(
      pattern, locally_owned, dof_handler.get_communicator(), locally_relevant);
}
} // namespace ferrotherm
