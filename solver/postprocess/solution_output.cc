// SolutionOutput: the fields of all modules plus the tissue label and the MPI rank, as
// one .vtu piece per rank, a .pvtu record per output time and solution.pvd for
// ParaView (time series). Every file is written under a temporary name and renamed.
#include "core/output_files.h"
#include "core/simulator.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <iomanip>
#include <sstream>

namespace ferrotherm
{
namespace
{
class SolutionOutput : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Solution output");
    prm.declare_entry("Every", "1", dealii::Patterns::Integer(1),
                      "Write the solution at every n-th output time (and at the end).");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Solution output");
    every = prm.get_integer("Every");
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override { simulator = &sim; }

  void execute(double time, StatisticsRow &) override
  {
    using namespace dealii;
    const bool last = time >= simulator->schedule().end_time() * (1 - 1e-12);
    if (calls++ % every != 0 && !last)
      return;
    const MPI_Comm comm = simulator->mpi_communicator();
    const unsigned int rank = Utilities::MPI::this_mpi_process(comm);
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(comm);
    const ScalarSpace &space = simulator->scalar_space();
    const auto &tria = simulator->triangulation();

    DataOut<3> data_out;
    data_out.attach_triangulation(tria);
    simulator->add_module_output(data_out);
    Vector<float> labels(tria.n_active_cells()), ranks(tria.n_active_cells());
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        labels(cell->active_cell_index()) = cell->material_id();
        ranks(cell->active_cell_index()) = rank;
      }
    data_out.add_data_vector(labels, "tissue_label", DataOut<3>::type_cell_data);
    data_out.add_data_vector(ranks, "mpi_rank", DataOut<3>::type_cell_data);
    data_out.build_patches(*space.mapping, space.fe.degree,
                           DataOut<3>::curved_inner_cells);

    if (!directory_created)
    {
      // Created at the first output (also of a resumed run into a new directory), once
      // the whole set-up has succeeded.
      if (rank == 0)
        create_directories(simulator->output_directory() + "/solution");
      MPI_Barrier(comm);
      directory_created = true;
    }
    std::ostringstream stem;
    stem << "solution-" << std::setw(5) << std::setfill('0') << index;
    const std::string directory = simulator->output_directory() + "/solution/";
    std::ostringstream piece;
    data_out.write_vtu(piece);
    write_file_atomically(directory + stem.str() + "." + std::to_string(rank) + ".vtu",
                          piece.str());
    MPI_Barrier(comm);
    if (rank == 0)
    {
      std::vector<std::string> pieces;
      for (unsigned int r = 0; r < n_ranks; ++r)
        pieces.push_back(stem.str() + "." + std::to_string(r) + ".vtu");
      std::ostringstream record;
      data_out.write_pvtu_record(record, pieces);
      write_file_atomically(directory + stem.str() + ".pvtu", record.str());
      times_and_names.emplace_back(time, "solution/" + stem.str() + ".pvtu");
      std::ostringstream pvd;
      DataOutBase::write_pvd_record(pvd, times_and_names);
      write_file_atomically(simulator->output_directory() + "/solution.pvd", pvd.str());
    }
    ++index;
  }

  void serialize_state(StateArchive &archive) override
  {
    archive &calls &index &times_and_names;
  }

private:
  Simulator *simulator = nullptr;
  unsigned int every = 1;
  unsigned int calls = 0;
  unsigned int index = 0;
  bool directory_created = false;
  std::vector<std::pair<double, std::string>> times_and_names;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Postprocessor, SolutionOutput, "solution output",
                           "ParaView output: solution/*.pvtu and solution.pvd")
} // namespace ferrotherm
