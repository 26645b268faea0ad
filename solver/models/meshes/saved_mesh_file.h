// The saved-mesh file (Mesh/Save mesh writes it, Mesh/Model = saved reads it): the coarse
// hexahedra, their boundary ids and names, and the refinement forest of the mesh with the
// tissue label of every cell on every level, so that a mesh built once (from an image,
// say) is rebuilt exactly, on any number of ranks, without its sources.
#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/base/types.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace dealii
{
namespace parallel
{
namespace distributed
{
template <int dim, int spacedim> class Triangulation;
}
} // namespace parallel
} // namespace dealii

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

  std::string source;                  // what the mesh was built from
  unsigned int global_refinements = 0; // Mesh/Global refinements of the saving run
  std::map<std::string, dealii::types::boundary_id> boundary_names;
  std::vector<dealii::Point<3>> vertices;
  std::vector<std::array<unsigned int, 8>> cells;
  std::vector<BoundaryFace>
      boundary_faces;              // faces of coarse cells with an id other than 0
  std::vector<Node> nodes;         // the forest
  std::vector<unsigned int> roots; // node of each coarse cell
  unsigned long long n_leaves = 0; // active cells

  // Reads and checks the file; errors name the file and line.
  static SavedMesh read(const std::string &path);
};

// The saved-mesh text of the refined mesh `tria` (collective; the text on rank 0, empty
// on the others). The coarse cells must have flat geometry: a mesh with curved manifolds
// is refused (its refined vertices lie on the curves, which the file does not hold).
std::string
saved_mesh_text(const dealii::parallel::distributed::Triangulation<3, 3> &tria,
                const std::map<std::string, dealii::types::boundary_id> &boundary_names,
                unsigned int global_refinements, const std::string &source);
} // namespace ferrotherm
