// GmshMesh: a hexahedral Gmsh mesh (.msh, ASCII format 2.2 or 4.1). Physical volume
// tags (any non-negative integer) become tissue labels (material ids), physical surface
// tags boundary ids, and the $PhysicalNames of surfaces become boundary names. The file
// is validated (check_gmsh_file) before deal.II reads it. Tetrahedral meshes must be
// converted first (scripts/gmsh_hex_mesh.py splits them into hexahedra).
#include "core/input_error.h"
#include "core/text_parsing.h"
#include "models/meshes/gmsh_file_check.h"
#include "models/meshes/mesh_generator.h"

#include <deal.II/distributed/tria.h>
#include <deal.II/grid/grid_in.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria.h>

#include <fstream>
#include <sstream>

namespace ferrotherm
{
namespace
{
class GmshMesh : public MeshGenerator
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Gmsh");
    prm.declare_entry(
        "File", "", dealii::Patterns::Anything(),
        "Gmsh .msh file (relative to the parameter file; $FERROTHERM_MESHES "
        "is the bundled meshes/ directory).");
    prm.declare_entry("Length scale", "1", dealii::Patterns::Double(0),
                      "Factor from the file's length unit to metres (1e-3 for mm).");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Gmsh");
    file = resolve_input_path(prm.get("File"), context.input_directory);
    scale = prm.get_double("Length scale");
    prm.leave_subsection();
    if (!(scale > 0))
      throw_input_error("Mesh/Gmsh/Length scale", "must be positive");
    std::ifstream in(file);
    if (trim(file).empty() || !in)
      throw_input_error("Mesh/Gmsh/File", "cannot open the mesh file '" + file + "'");
    names = check_gmsh_file(file).surface_names;
  }

  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<3> &tria) const override
  {
    dealii::Triangulation<3> serial;
    std::ifstream in(file);
    dealii::GridIn<3> reader;
    reader.attach_triangulation(serial);
    try
    {
      reader.read_msh(in);
    }
    catch (const dealii::ExceptionBase &error)
    {
      std::ostringstream message;
      error.print_info(message);
      throw_input_error(file, "cannot read the Gmsh mesh (" + trim(message.str()) + ")");
    }
    catch (const std::exception &error)
    {
      throw_input_error(file,
                        std::string("cannot read the Gmsh mesh (") + error.what() + ")");
    }
    if (serial.n_active_cells() == 0)
      throw_input_error(file, "the mesh has no volume cells");
    if (!serial.all_reference_cells_are_hyper_cube())
      throw_input_error(file,
                        "the mesh has non-hexahedral cells; convert it to hexahedra "
                        "with scripts/gmsh_hex_mesh.py");
    if (scale != 1)
      dealii::GridTools::scale(scale, serial);
    tria.copy_triangulation(serial);
  }

  std::map<std::string, dealii::types::boundary_id> boundary_names() const override
  {
    return names;
  }

  std::string source() const override { return file; }

private:
  std::string file;
  double scale = 1;
  std::map<std::string, dealii::types::boundary_id> names;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(MeshGenerator, GmshMesh, "gmsh",
                           "a hexahedral Gmsh mesh with physical tags as tissue labels")
} // namespace ferrotherm
