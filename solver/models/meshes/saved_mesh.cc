// SavedMeshModel (Mesh/Model = saved): a mesh written by an earlier run (Mesh/Save mesh),
// rebuilt exactly: its coarse hexahedra, then every cell refined that the saved forest
// refines (level by level, so p4est's 2:1 balance adds nothing), every cell on every
// level labelled as saved. Cells finer than the saved ones (adaptive refinement) take the
// label of their saved ancestor. The file holds the Global refinements it was saved with
// (a run may refine it uniformly further, not less) and the built-in refinements of the
// mesh model (adaptivity does not coarsen below them and the Global refinements).
#include "core/input_error.h"
#include "core/text_parsing.h"
#include "models/meshes/mesh_generator.h"
#include "models/meshes/saved_mesh_file.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/cell_id.h>
#include <deal.II/grid/tria.h>

#include <cmath>

namespace ferrotherm
{
namespace
{
using namespace dealii;

class SavedMeshModel : public MeshGenerator
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Saved");
    prm.declare_entry("File", "", Patterns::Anything(),
                      "A mesh written by Mesh/Save mesh (<Output directory>/mesh.ftmesh; "
                      "relative to the parameter file).");
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Saved");
    const std::string given = trim(prm.get("File"));
    prm.leave_subsection();
    if (given.empty())
      throw_input_error("Mesh/Saved/File", "give the saved mesh (mesh.ftmesh of a run "
                                           "with Mesh/Save mesh = true)");
    file = resolve_input_path(given, context.input_directory);
    mesh = SavedMesh::read(file);
  }

  void create_coarse_mesh(parallel::distributed::Triangulation<3> &tria) const override
  {
    std::vector<CellData<3>> cells(mesh.cells.size());
    for (unsigned int c = 0; c < cells.size(); ++c)
    {
      for (unsigned int v = 0; v < 8; ++v)
        cells[c].vertices[v] = mesh.cells[c][v];
      cells[c].material_id = mesh.nodes[mesh.roots[c]].label;
    }
    try
    {
      tria.create_triangulation(mesh.vertices, cells, SubCellData());
    }
    catch (const ExceptionBase &error)
    {
      throw_input_error(file, "the coarse cells do not form a valid mesh (" +
                                  trim(error.what()) + ")");
    }
    for (const auto &entry : mesh.boundary_faces)
    {
      const Triangulation<3>::cell_iterator cell(&tria, 0, entry.cell);
      if (!cell->face(entry.face)->at_boundary())
        throw_input_error(file, "boundary face " + std::to_string(entry.face) +
                                    " of cell " + std::to_string(entry.cell) +
                                    " is an interior face");
      cell->face(entry.face)->set_boundary_id(entry.id);
    }
  }

  void refine(parallel::distributed::Triangulation<3> &tria, unsigned int global,
              const std::string &parameter) const override
  {
    if (global < mesh.global_refinements)
      throw_input_error(parameter,
                        std::to_string(global) + " is fewer than the " +
                            std::to_string(mesh.global_refinements) +
                            " global refinements the saved mesh " + file +
                            " holds (a saved mesh is refined further, never coarsened)");
    if (mesh.max_level + global - mesh.global_refinements > saved_mesh_max_level)
      throw_input_error(parameter, std::to_string(global) +
                                       " refines the deepest cells of " + file +
                                       " (level " + std::to_string(mesh.max_level) +
                                       ") beyond p4est's level " +
                                       std::to_string(saved_mesh_max_level));
    for (;;)
    {
      bool any = false;
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned())
        {
          const auto [node, depth] = saved_cell(cell);
          if (depth == static_cast<unsigned int>(cell->level()) &&
              mesh.nodes[node].first_child >= 0)
          {
            cell->set_refine_flag();
            any = true;
          }
        }
      if (!Utilities::MPI::logical_or(any, tria.get_communicator()))
        break;
      tria.execute_coarsening_and_refinement();
    }
    if (tria.n_global_active_cells() != mesh.n_leaves)
      throw_input_error(file, "the refinement trees give " +
                                  std::to_string(tria.n_global_active_cells()) +
                                  " cells after p4est's 2:1 balance, not the " +
                                  std::to_string(mesh.n_leaves) +
                                  " saved (a file not written by Ferrotherm, or edited)");
    tria.refine_global(global - mesh.global_refinements);
    assign_labels(tria);
  }

  void assign_labels(parallel::distributed::Triangulation<3> &tria) const override
  {
    for (const auto &cell : tria.cell_iterators())
      cell->set_material_id(mesh.nodes[saved_cell(cell).first].label);
  }

  double estimated_active_cells(const parallel::distributed::Triangulation<3> &,
                                unsigned int global) const override
  {
    return mesh.n_leaves * std::pow(8.0, std::max(global, mesh.global_refinements) -
                                             mesh.global_refinements);
  }

  // The uniform refinements of the model the mesh was saved from: adaptivity does not
  // coarsen below them and the Global refinements.
  unsigned int built_in_refinements() const override { return mesh.built_in_refinements; }

  std::string source() const override { return "Mesh/Saved (" + file + ")"; }

  std::map<std::string, types::boundary_id> boundary_names() const override
  {
    return mesh.boundary_names;
  }

private:
  // The saved node of `cell` or, below the saved leaves, of its deepest saved ancestor,
  // and its level.
  std::pair<unsigned int, unsigned int>
  saved_cell(const Triangulation<3>::cell_iterator &cell) const
  {
    Triangulation<3>::cell_iterator coarse = cell;
    while (coarse->level() > 0)
      coarse = coarse->parent();
    unsigned int node = mesh.roots[coarse->index()];
    unsigned int depth = 0;
    const CellId id = cell->id();
    for (const std::uint8_t child : id.get_child_indices())
    {
      if (mesh.nodes[node].first_child < 0)
        break;
      node = mesh.nodes[node].first_child + child;
      ++depth;
    }
    return {node, depth};
  }

  std::string file;
  SavedMesh mesh;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(MeshGenerator, SavedMeshModel, "saved",
                           "a mesh written by an earlier run (Mesh/Save mesh)")
} // namespace ferrotherm
