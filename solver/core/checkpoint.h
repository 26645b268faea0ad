// Checkpoint: periodic and final snapshots of a transient run, from which a run killed
// by a job time limit, a node failure or kill -9 continues with the same results.
// A checkpoint is the directory <output>/checkpoints/checkpoint-NNNNNN holding
//   mesh*        the refined mesh and every module's vectors (Triangulation::save with
//                parallel::distributed::SolutionTransfer: readable on any number of
//                ranks),
//   state.bin    the scalar records of the modules, postprocessors and the clock,
//   parameters.prm  the parameters of the run that wrote it, info.txt (time, ranks).
// It is written under the name "...NNNNNN.tmp" and renamed once complete, and older
// checkpoints are removed only after that, so a kill at any moment leaves the previous
// complete checkpoint. At restart the stored parameters are compared with the run's:
// a change of the physics is an error; output, postprocessing, checkpoint settings and
// the end time may change.
#pragma once

#include <deal.II/base/parameter_handler.h>
#include <deal.II/distributed/tria.h>

#include <mpi.h>

#include <chrono>
#include <string>

namespace ferrotherm
{
class ModuleState;

class Checkpoint
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  // prm at the top level.
  void parse_parameters(dealii::ParameterHandler &prm);

  // Collective: the checkpoint directory to resume from, or "" for a fresh start.
  // Resume = no: ""; auto: the newest complete checkpoint of the output directory
  // ("" if none); a path: that checkpoint (an error if it is not complete).
  std::string find_resume_directory(const std::string &output_directory,
                                    const std::string &input_directory,
                                    MPI_Comm comm) const;

  // An InputError listing the parameters of `stored_parameters` (the ShortPRM text of the
  // checkpoint's run) that differ from `parameters` and may not change at a restart.
  static void check_parameters(const std::string &stored_parameters,
                               const std::string &parameters,
                               const std::string &checkpoint_directory);

  // Collective, after a macro step ending at t: whether a periodic checkpoint is due
  // (the simulated-time or wall-clock interval has passed since the last one).
  bool periodic_due(double t, MPI_Comm comm) const;
  bool at_end() const { return write_at_end; }

  // Collective: writes a checkpoint of the mesh and `state` at time t, then removes the
  // checkpoints beyond the number kept. Returns the checkpoint's directory.
  std::string write(const dealii::parallel::distributed::Triangulation<3> &triangulation,
                    const ModuleState &state, const std::string &parameters, double t,
                    const std::string &output_directory, MPI_Comm comm);

  // The stored parameters and records of a checkpoint (read by every rank), and the mesh.
  static std::string read_file(const std::string &checkpoint_directory,
                               const std::string &name);
  static void load_mesh(const std::string &checkpoint_directory,
                        dealii::parallel::distributed::Triangulation<3> &triangulation);

  // The counters that continue across a restart (in the simulator's record).
  unsigned int sequence = 0; // number of the last checkpoint written
  double last_time = 0;      // simulated time of the last checkpoint

private:
  double time_interval = 0;
  double wall_clock_interval = 3600;
  bool write_at_end = true;
  unsigned int kept = 2;
  std::string resume = "no";
  std::chrono::steady_clock::time_point last_wall = std::chrono::steady_clock::now();
};
} // namespace ferrotherm
