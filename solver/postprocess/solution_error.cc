// SolutionError: the error of a nodal field (temperature, iron, ...) against a closed-
// form solution given as an expression in x, y, z, t (verification): L2 norm ||u_h - u||
// and the maximum nodal error, written to errors.csv and to statistics.csv. The L2
// integral uses Gauss quadrature two orders above the element's.
#include "core/input_error.h"
#include "core/parsed_function_at_time.h"
#include "core/simulator.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/vector_tools.h>

namespace ferrotherm
{
namespace
{
class SolutionError : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Solution error");
    prm.declare_entry(
        "Field", "temperature", dealii::Patterns::Anything(),
        "Name of the nodal field to check (temperature, iron, iron_mobile, ...).");
    prm.declare_entry("Exact solution", "37", dealii::Patterns::Anything(),
                      "Closed form of the field in x, y, z, t (in the field's unit).");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Solution error");
    field_name = prm.get("Field");
    exact = std::make_unique<ParsedFunction>(prm.get("Exact solution"),
                                             "Postprocess/Solution error/Exact solution",
                                             context.function_constants);
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    const Field &field = sim.fields().get(field_name, "Postprocess/Solution error/Field");
    if (field.nodal_values() == nullptr)
      throw_input_error("Postprocess/Solution error/Field",
                        "the field '" + field_name +
                            "' has no nodal values on the tissue mesh");
  }

  void execute(double time, StatisticsRow &statistics_row) override
  {
    using namespace dealii;
    const ScalarSpace &space = simulator->scalar_space();
    const MPI_Comm comm = simulator->mpi_communicator();
    const FieldVector &values =
        *simulator->fields().get(field_name, "solution error").nodal_values();
    ParsedFunctionAtTime exact_function(*exact, time);
    Vector<float> cell_errors(simulator->triangulation().n_active_cells());
    VectorTools::integrate_difference(
        *space.mapping, space.dof_handler, values, exact_function, cell_errors,
        QGauss<3>(space.fe.degree + 3), VectorTools::L2_norm);
    const double l2 = VectorTools::compute_global_error(
        simulator->triangulation(), cell_errors, VectorTools::L2_norm);
    // Nodal error at the support points of the locally owned cells.
    const std::vector<Point<3>> &unit_points = space.fe.get_unit_support_points();
    std::vector<types::global_dof_index> indices(space.fe.n_dofs_per_cell());
    double nodal = 0;
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        cell->get_dof_indices(indices);
        for (unsigned int i = 0; i < indices.size(); ++i)
        {
          const Point<3> x =
              space.mapping->transform_unit_to_real_cell(cell, unit_points[i]);
          nodal = std::max(nodal, std::abs(values(indices[i]) - exact->value(x, time)));
        }
      }
    nodal = Utilities::MPI::max(nodal, comm);

    StatisticsRow row;
    row.emplace_back("time_s", time);
    row.emplace_back("n_cells", simulator->triangulation().n_global_active_cells());
    row.emplace_back("n_dofs", space.dof_handler.n_dofs());
    row.emplace_back("L2_error", l2);
    row.emplace_back("max_nodal_error", nodal);
    table.add_row(row);
    if (Utilities::MPI::this_mpi_process(comm) == 0)
      table.write(simulator->output_directory() + "/errors.csv");
    statistics_row.emplace_back(field_name + "_L2_error", l2);
    statistics_row.emplace_back(field_name + "_max_nodal_error", nodal);
  }

  void serialize_state(StateArchive &archive) override { table.serialize(archive); }

private:
  Simulator *simulator = nullptr;
  std::string field_name;
  std::unique_ptr<ParsedFunction> exact;
  CsvTable table;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    Postprocessor, SolutionError, "solution error",
    "L2 and nodal error of a field against a closed form, errors.csv")
} // namespace ferrotherm
