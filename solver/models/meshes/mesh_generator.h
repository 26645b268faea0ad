// MeshGenerator: the plugin family that builds the coarse tissue mesh (Mesh/Model):
// hexahedra with material_id = tissue label, named boundary ids, and the manifolds
// that keep curved tissue interfaces curved under refinement.
#pragma once

#include "core/plugin_registry.h"
#include "core/run_context.h"
#include "core/triangulation_fwd.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/types.h>

#include <map>
#include <string>

namespace ferrotherm
{
class MeshGenerator
{
public:
  virtual ~MeshGenerator() = default;
  static void declare_parameters(dealii::ParameterHandler &prm);

  // prm is positioned in the "Mesh" section.
  virtual void parse_parameters(dealii::ParameterHandler &prm,
                                const RunContext &context) = 0;

  virtual void create_coarse_mesh(
      dealii::parallel::distributed::Triangulation<3, 3> &triangulation) const = 0;

  // Uniform refinements the generator leaves to the triangulation: a fine uniform grid is
  // built coarse and refined, because every coarse cell is a p4est tree (costly).
  virtual unsigned int built_in_refinements() const { return 0; }

  // The refined mesh of a run on the coarse mesh: `global` uniform refinements counted
  // from the coarse mesh (of Mesh/Global refinements or the `parameter` named), then
  // refine_to_labels.
  virtual void refine(dealii::parallel::distributed::Triangulation<3, 3> &triangulation,
                      unsigned int global, const std::string &parameter) const;

  // After the global refinements: refinements that resolve the tissue labels (image
  // meshes: cells with more than one label), then assign_labels.
  virtual void
  refine_to_labels(dealii::parallel::distributed::Triangulation<3, 3> &) const
  {
  }

  // The number of active cells refine() gives, for the memory estimate made on the
  // coarse mesh: every coarse cell becomes 8^(built-in + global) cells.
  virtual double
  estimated_active_cells(const dealii::parallel::distributed::Triangulation<3, 3> &coarse,
                         unsigned int global) const;
  // Labels of the cells of a refined mesh that the coarse cells do not carry (image
  // meshes: after a restart and an adaptive mesh change); by default the children keep
  // their parents' labels.
  virtual void assign_labels(dealii::parallel::distributed::Triangulation<3, 3> &) const
  {
  }

  // What the mesh is built from, for messages: its file, or the parameter.
  virtual std::string source() const { return "Mesh/Model"; }

  // Names of the boundary ids, for boundary conditions given by name.
  virtual std::map<std::string, dealii::types::boundary_id> boundary_names() const = 0;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(MeshGenerator)
} // namespace ferrotherm
