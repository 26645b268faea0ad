// The saved-mesh file (see saved_mesh_file.h). The format is text, one item per line:
//   ferrotherm-saved-mesh 1
//   source <what the mesh was built from>
//   built_in_refinements <r>   (uniform refinements of the mesh model, e.g. a box)
//   global_refinements <G>     (Mesh/Global refinements of the saving run)
//   boundary_names <K>, then K lines '<id> <name>'
//   vertices <N>, then N lines 'x y z' (m)
//   cells <M>, then M lines 'v0 ... v7 | <forest>': the coarse hexahedron (deal.II vertex
//       order) and its refinement tree in pre-order, one token per cell, '<label>' for an
//       active cell and '<label>*' for a refined one, whose 8 children follow
//   boundary_faces <B>, then B lines '<cell> <face> <id>' (faces with an id other than 0)
//   end
// Lines starting with '#' are comments.
#include "models/meshes/saved_mesh_file.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/cell_id.h>
#include <deal.II/grid/manifold.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

namespace ferrotherm
{
using namespace dealii;

namespace
{
constexpr unsigned int max_count = 100000000;
const std::string magic = "ferrotherm-saved-mesh";

void check_flat_geometry(const parallel::distributed::Triangulation<3> &tria)
{
  for (const auto &cell : tria.cell_iterators_on_level(0))
  {
    bool curved = cell->manifold_id() != numbers::flat_manifold_id;
    for (const unsigned int f : cell->face_indices())
      curved |= cell->face(f)->manifold_id() != numbers::flat_manifold_id;
    for (unsigned int l = 0; l < cell->n_lines(); ++l)
      curved |= cell->line(l)->manifold_id() != numbers::flat_manifold_id;
    if (curved)
      throw_input_error(
          "Mesh/Save mesh",
          "the mesh has curved tissue interfaces or boundaries (manifolds), "
          "whose refined vertices a saved mesh cannot reproduce; image, "
          "Gmsh and box meshes can be saved");
  }
}

// Reads the lines of the file, skipping comments and blank lines; errors name the line.
class LineReader
{
public:
  explicit LineReader(const std::string &path) : path(path), in(path)
  {
    if (!in)
      throw_input_error("Mesh/Saved/File", "cannot open the saved mesh '" + path + "'");
  }

  std::string next(const std::string &expected)
  {
    std::string line;
    while (std::getline(in, line))
    {
      ++number;
      if (number == 1)
        strip_byte_order_mark(line);
      line = trim(line);
      if (!line.empty() && line[0] != '#')
        return line;
    }
    throw_input_error(path, "the file ends before " + expected +
                                " (truncated? it must end with 'end')");
  }

  // The count after 'keyword' on the next line.
  unsigned int count(const std::string &keyword)
  {
    const std::string line = next("'" + keyword + "'");
    std::istringstream words(line);
    std::string word, value, rest;
    words >> word >> value;
    if (word != keyword || value.empty() || (words >> rest))
      error("expected '" + keyword + " <count>', found '" + line + "'");
    const unsigned int n = parse_unsigned(value, where());
    if (n > max_count)
      error("the count " + value + " is larger than " + std::to_string(max_count));
    return n;
  }

  std::string where() const { return path + ":" + std::to_string(number); }

  [[noreturn]] void error(const std::string &problem) const
  {
    throw_input_error(where(), problem);
  }

private:
  std::string path;
  std::ifstream in;
  unsigned int number = 0;
};

// Appends the tree of one coarse cell from its pre-order tokens; returns its root node.
unsigned int parse_tree(std::istringstream &tokens, SavedMesh &mesh,
                        const LineReader &reader)
{
  std::vector<SavedMesh::Node> &nodes = mesh.nodes;
  struct Pending
  {
    unsigned int node, depth;
  };
  const unsigned int root = nodes.size();
  nodes.emplace_back();
  std::vector<Pending> stack = {{root, 0}};
  while (!stack.empty())
  {
    const Pending pending = stack.back();
    stack.pop_back();
    std::string token;
    if (!(tokens >> token))
      reader.error("the refinement tree of the cell ends early (a refined cell needs 8 "
                   "children)");
    const bool refined = token.back() == '*';
    if (refined)
      token.pop_back();
    nodes[pending.node].label = parse_unsigned(token, reader.where());
    if (nodes[pending.node].label == numbers::invalid_material_id)
      reader.error("the label " + token + " is out of range");
    if (!refined)
    {
      ++mesh.n_leaves;
      mesh.max_level = std::max(mesh.max_level, pending.depth);
      continue;
    }
    if (pending.depth + 1 > saved_mesh_max_level)
      reader.error("a cell is refined more than " + std::to_string(saved_mesh_max_level) +
                   " times (the limit of p4est)");
    const unsigned int first = nodes.size();
    nodes[pending.node].first_child = first;
    nodes.resize(first + 8);
    for (unsigned int c = 8; c-- > 0;)
      stack.push_back({first + c, pending.depth + 1});
  }
  return root;
}
} // namespace

SavedMesh SavedMesh::read(const std::string &path)
{
  LineReader reader(path);
  SavedMesh mesh;
  {
    const std::string header = reader.next("the header");
    if (header != magic + " 1")
      reader.error("not a Ferrotherm saved mesh (expected the first line '" + magic +
                   " 1', found '" + header.substr(0, 60) + "')");
  }
  {
    const std::string line = reader.next("'source'");
    if (line.rfind("source", 0) != 0)
      reader.error("expected 'source <text>', found '" + line + "'");
    mesh.source = trim(line.substr(6));
  }
  mesh.built_in_refinements = reader.count("built_in_refinements");
  mesh.global_refinements = reader.count("global_refinements");
  if (mesh.built_in_refinements + mesh.global_refinements > saved_mesh_max_level)
    reader.error("more refinements than a tree can hold");

  const unsigned int n_names = reader.count("boundary_names");
  for (unsigned int k = 0; k < n_names; ++k)
  {
    std::istringstream words(reader.next("a boundary name"));
    std::string id, name;
    words >> id;
    std::getline(words, name);
    name = trim(name);
    if (name.empty())
      reader.error("expected '<boundary id> <name>'");
    const unsigned int value = parse_unsigned(id, reader.where());
    if (value == numbers::internal_face_boundary_id)
      reader.error("the boundary id " + id + " is reserved for interior faces");
    if (!mesh.boundary_names.emplace(name, value).second)
      reader.error("the boundary name '" + name + "' is repeated");
  }

  // Filled line by line: a corrupt count allocates nothing before the file runs out.
  const unsigned int n_vertices = reader.count("vertices");
  for (unsigned int k = 0; k < n_vertices; ++k)
  {
    Point<3> &vertex = mesh.vertices.emplace_back();
    const std::string line = reader.next("a vertex");
    std::istringstream words(line);
    std::string x[3], rest;
    if (!(words >> x[0] >> x[1] >> x[2]) || (words >> rest))
      reader.error("expected three coordinates, found '" + line + "'");
    for (unsigned int d = 0; d < 3; ++d)
      vertex[d] = parse_double(x[d], reader.where());
  }

  const unsigned int n_cells = reader.count("cells");
  if (n_cells == 0)
    reader.error("the mesh has no cells");
  std::vector<bool> used(n_vertices, false);
  for (unsigned int c = 0; c < n_cells; ++c)
  {
    mesh.cells.emplace_back();
    std::istringstream words(reader.next("a cell"));
    std::set<unsigned int> distinct;
    for (unsigned int v = 0; v < 8; ++v)
    {
      std::string index;
      if (!(words >> index))
        reader.error("expected 8 vertex indices, '|' and the refinement tree");
      mesh.cells[c][v] = parse_unsigned(index, reader.where());
      if (mesh.cells[c][v] >= n_vertices)
        reader.error("vertex " + index + " does not exist (" +
                     std::to_string(n_vertices) + " vertices, numbered from 0)");
      distinct.insert(mesh.cells[c][v]);
      used[mesh.cells[c][v]] = true;
    }
    if (distinct.size() != 8)
      reader.error("the cell repeats a vertex");
    std::string bar;
    if (!(words >> bar) || bar != "|")
      reader.error("expected '|' after the 8 vertex indices");
    mesh.roots.push_back(parse_tree(words, mesh, reader));
    std::string rest;
    if (words >> rest)
      reader.error("the refinement tree of the cell has more tokens than cells ('" +
                   rest + "')");
  }

  if (const auto unused = std::find(used.begin(), used.end(), false);
      unused != used.end())
    reader.error("vertex " + std::to_string(unused - used.begin()) +
                 " belongs to no cell (a file not written by Ferrotherm, or edited)");

  const unsigned int n_faces = reader.count("boundary_faces");
  for (unsigned int k = 0; k < n_faces; ++k)
  {
    const std::string line = reader.next("a boundary face");
    std::istringstream words(line);
    std::string cell, face, id, rest;
    if (!(words >> cell >> face >> id) || (words >> rest))
      reader.error("expected '<cell> <face> <boundary id>', found '" + line + "'");
    BoundaryFace entry{parse_unsigned(cell, reader.where()),
                       parse_unsigned(face, reader.where()),
                       parse_unsigned(id, reader.where())};
    if (entry.cell >= n_cells || entry.face >= 6 ||
        entry.id == numbers::internal_face_boundary_id)
      reader.error("cell " + cell + " has no face " + face + " or the id " + id +
                   " is invalid (" + std::to_string(n_cells) + " cells, faces 0-5)");
    mesh.boundary_faces.push_back(entry);
  }
  if (reader.next("'end'") != "end")
    reader.error("expected 'end'");
  return mesh;
}

std::string
saved_mesh_text(const parallel::distributed::Triangulation<3> &tria,
                const std::map<std::string, types::boundary_id> &boundary_names,
                unsigned int built_in_refinements, unsigned int global_refinements,
                const std::string &source)
{
  check_flat_geometry(tria);
  // Per locally owned active cell: coarse cell, level, child indices, labels root..leaf.
  std::vector<unsigned int> paths;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      const CellId id = cell->id();
      const auto children = id.get_child_indices();
      std::vector<unsigned int> labels(children.size() + 1);
      Triangulation<3>::cell_iterator ancestor = cell;
      for (unsigned int l = children.size() + 1; l-- > 0;)
      {
        labels[l] = ancestor->material_id();
        if (l > 0)
          ancestor = ancestor->parent();
      }
      paths.push_back(ancestor->index()); // the coarse cell
      paths.push_back(children.size());
      paths.insert(paths.end(), children.begin(), children.end());
      paths.insert(paths.end(), labels.begin(), labels.end());
    }
  const auto gathered = Utilities::MPI::gather(tria.get_communicator(), paths, 0);
  if (Utilities::MPI::this_mpi_process(tria.get_communicator()) != 0)
    return "";

  // The forest from the paths of all ranks.
  const unsigned int n_coarse = tria.n_cells(0);
  std::vector<SavedMesh::Node> nodes(n_coarse);
  unsigned long long leaves = 0;
  for (const auto &rank_paths : gathered)
    for (std::size_t k = 0; k < rank_paths.size();)
    {
      unsigned int node = rank_paths[k];
      const unsigned int depth = rank_paths[k + 1];
      const unsigned int *child = &rank_paths[k + 2];
      const unsigned int *label = child + depth;
      nodes[node].label = label[0];
      for (unsigned int l = 0; l < depth; ++l)
      {
        if (nodes[node].first_child < 0)
        {
          nodes[node].first_child = nodes.size();
          nodes.resize(nodes.size() + 8);
        }
        node = nodes[node].first_child + child[l];
        nodes[node].label = label[l + 1];
      }
      ++leaves;
      k += 2 + 2 * depth + 1;
    }

  std::ostringstream text;
  text << magic << " 1\n"
       << "# Ferrotherm saved mesh (Mesh/Model = saved reads it): " << n_coarse
       << " coarse hexahedra and the refinement tree of each with the tissue label of "
          "every cell, "
       << leaves << " active cells. Coordinates in m.\n"
       << "source " << source << "\n"
       << "built_in_refinements " << built_in_refinements << "\n"
       << "global_refinements " << global_refinements << "\n"
       << "boundary_names " << boundary_names.size() << "\n";
  for (const auto &[name, id] : boundary_names)
    text << id << " " << name << "\n";

  std::map<unsigned int, unsigned int> vertex_number;
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const unsigned int v : cell->vertex_indices())
      vertex_number.emplace(cell->vertex_index(v), vertex_number.size());
  std::vector<Point<3>> vertices(vertex_number.size());
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const unsigned int v : cell->vertex_indices())
      vertices[vertex_number[cell->vertex_index(v)]] = cell->vertex(v);
  text << "vertices " << vertices.size() << "\n" << std::setprecision(17);
  for (const auto &vertex : vertices)
    text << vertex[0] << " " << vertex[1] << " " << vertex[2] << "\n";

  text << "cells " << n_coarse << "\n";
  std::vector<std::tuple<unsigned int, unsigned int, types::boundary_id>> faces;
  for (const auto &cell : tria.cell_iterators_on_level(0))
  {
    for (const unsigned int v : cell->vertex_indices())
      text << vertex_number[cell->vertex_index(v)] << " ";
    text << "|";
    std::vector<int> stack = {static_cast<int>(cell->index())};
    while (!stack.empty())
    {
      const SavedMesh::Node node = nodes[stack.back()];
      stack.pop_back();
      text << " " << node.label << (node.first_child >= 0 ? "*" : "");
      if (node.first_child >= 0)
        for (int c = 8; c-- > 0;)
          stack.push_back(node.first_child + c);
    }
    text << "\n";
    for (const unsigned int f : cell->face_indices())
      if (cell->at_boundary(f) && cell->face(f)->boundary_id() != 0)
        faces.emplace_back(cell->index(), f, cell->face(f)->boundary_id());
  }
  text << "boundary_faces " << faces.size() << "\n";
  for (const auto &[cell, face, id] : faces)
    text << cell << " " << face << " " << id << "\n";
  text << "end\n";
  return text.str();
}
} // namespace ferrotherm
