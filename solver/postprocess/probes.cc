// Probes: every registered field (temperature, iron, H_amplitude, ...) at named points,
// like the fibre-optic thermometry catheters of a clinical treatment, written to
// probes.csv (columns <probe>:<field>) at each output time.
#include "core/input_error.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/grid/cell_id.h>
#include <deal.II/grid/grid_tools.h>

#include <stdexcept>

namespace ferrotherm
{
namespace
{
class Probes : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Probes");
    prm.declare_entry("Points", "", dealii::Patterns::Anything(),
                      "Named points 'name: x, y, z; name: x, y, z' [m].");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string where = "Postprocess/Probes/Points";
    prm.enter_subsection("Probes");
    for (const auto &entry : parse_key_value_list(prm.get("Points"), where))
    {
      for (const auto &probe : probes)
        if (probe.name == entry.first)
          throw_input_error(where, "the probe name '" + entry.first +
                                       "' is used twice; every probe needs its own "
                                       "name (the columns of probes.csv)");
      const auto xyz =
          parse_double_list(entry.second, where + " (probe '" + entry.first + "')", 3);
      probes.push_back(
          {entry.first, dealii::Point<3>(xyz[0], xyz[1], xyz[2]), {}, {}, false});
    }
    prm.leave_subsection();
    if (probes.empty())
      throw_input_error(where, "the probes postprocessor needs at least one point");
  }

  void initialize(Simulator &sim) override
  {
    using namespace dealii;
    simulator = &sim;
    const ScalarSpace &space = sim.scalar_space();
    const unsigned int rank = Utilities::MPI::this_mpi_process(sim.mpi_communicator());
    for (auto &probe : probes)
    {
      // A point on a cell face belongs to several cells: take the one with the smallest
      // CellId, which does not depend on the partition (same result on any rank count).
      bool found_here = false;
      CellId best;
      try
      {
        const auto first = GridTools::find_active_cell_around_point(
            *space.mapping, space.dof_handler, probe.point);
        // deal.II 9.4 signals "not found" by an invalid iterator (or an exception).
        if (first.first.state() != IteratorState::valid)
          throw std::out_of_range("not found");
        const auto all = GridTools::find_all_active_cells_around_point(
            *space.mapping, space.dof_handler, probe.point, 1e-10, first);
        for (const auto &candidate : all)
          if (candidate.first->is_locally_owned() &&
              GeometryInfo<3>::is_inside_unit_cell(candidate.second, 1e-10) &&
              (!found_here || candidate.first->id() < best))
          {
            found_here = true;
            best = candidate.first->id();
            probe.cell = candidate.first;
            probe.reference = candidate.second;
          }
      }
      catch (...)
      {
      }
      const CellId::binary_type none = {{numbers::invalid_unsigned_int, 0, 0, 0}};
      const auto candidates = Utilities::MPI::all_gather(
          sim.mpi_communicator(), found_here ? best.to_binary<3>() : none);
      unsigned int owner = numbers::invalid_unsigned_int;
      for (unsigned int r = 0; r < candidates.size(); ++r)
        if (candidates[r] != none && (owner == numbers::invalid_unsigned_int ||
                                      CellId(candidates[r]) < CellId(candidates[owner])))
          owner = r;
      if (owner == numbers::invalid_unsigned_int)
      {
        std::ostringstream point;
        point << probe.point;
        throw_input_error("Postprocess/Probes/Points", "the probe '" + probe.name +
                                                           "' at (" + point.str() +
                                                           ") lies outside the mesh");
      }
      probe.owned = owner == rank;
    }
  }

  void execute(double time, StatisticsRow &) override
  {
    using namespace dealii;
    const ScalarSpace &space = simulator->scalar_space();
    StatisticsRow row;
    row.emplace_back("time_s", time);
    std::vector<double> value(1);
    for (const auto &probe : probes)
      for (const auto &field : simulator->fields().entries())
      {
        double local = 0;
        if (probe.owned)
        {
          Quadrature<3> point(std::vector<Point<3>>{probe.reference},
                              std::vector<double>{1.0});
          FEValues<3> fe_values(*space.mapping, space.fe, point,
                                update_values | update_quadrature_points);
          fe_values.reinit(probe.cell);
          field.second.field->evaluate(fe_values, value);
          local = value[0];
        }
        row.emplace_back(probe.name + ":" + field.first,
                         Utilities::MPI::sum(local, simulator->mpi_communicator()));
      }
    table.add_row(row);
    if (Utilities::MPI::this_mpi_process(simulator->mpi_communicator()) == 0)
      table.write(simulator->output_directory() + "/probes.csv");
  }

  void serialize_state(StateArchive &archive) override { table.serialize(archive); }

private:
  struct Probe
  {
    std::string name;
    dealii::Point<3> point;
    dealii::DoFHandler<3>::active_cell_iterator cell;
    dealii::Point<3> reference;
    bool owned;
  };
  Simulator *simulator = nullptr;
  std::vector<Probe> probes;
  CsvTable table;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Postprocessor, Probes, "probes",
                           "all fields at named points (virtual thermometry), probes.csv")
} // namespace ferrotherm
