// The saved-mesh file (Mesh/Save mesh writes it, Mesh/Model = saved reads it): the coarse
// hexahedra, their boundary ids and names, and the refinement forest of the mesh with the
// tissue label of every cell on every level, so that a mesh built once (from an image,
// say) is rebuilt exactly, on any number of ranks, without its sources.
#pragma once

#include "core/triangulation_fwd.h"
#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/base/types.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace ferrotherm
{
struct SavedMesh
{
  // One cell of the forest: its label and, if it is refined, the index of the first of
  // its 8 children (stored one after the other, in deal.II's child order).
  struct Node
  {
    dealii::types::material_id label = 0;
    int first_child = -1;
  };
  struct BoundaryFace
  {
    unsigned int cell, face;
    dealii::types::boundary_id id;
  };

  std::string source; // what the mesh was built from
  // Uniform refinements of the mesh model (a box built coarser) and Mesh/Global
  // refinements of the saving run.
  unsigned int built_in_refinements = 0, global_refinements = 0;
  std::map<std::string, dealii::types::boundary_id> boundary_names;
  std::vector<dealii::Point<3>> vertices;
  std::vector<std::array<unsigned int, 8>> cells;
  // Faces of coarse cells with a boundary id other than 0.
  std::vector<BoundaryFace> boundary_faces;
  std::vector<Node> nodes;         // the forest
  std::vector<unsigned int> roots; // node of each coarse cell
  unsigned long long n_leaves = 0; // active cells
  unsigned int max_level = 0;      // of the deepest cell

  // Reads and checks the file; errors name the file and line.
  static SavedMesh read(const std::string &path);
};

// The saved-mesh text of the refined mesh `tria` (collective; the text on rank 0, empty
// on the others). The coarse cells must have flat geometry: a mesh with curved manifolds
// is refused (its refined vertices lie on the curves, which the file does not hold).
std::string
saved_mesh_text(const dealii::parallel::distributed::Triangulation<3, 3> &tria,
                const std::map<std::string, dealii::types::boundary_id> &boundary_names,
                unsigned int built_in_refinements, unsigned int global_refinements,
                const std::string &source);

// p8est refines a tree to level 18 at most (P8EST_QMAXLEVEL).
constexpr unsigned int saved_mesh_max_level = 18;
} // namespace ferrotherm
