// Simulator: owns the treatment model of one run. It builds the tissue mesh, reads
// the tissue database, creates the physics modules (each chosen by name where it is a
// plugin family) and keeps them in one list ordered by the fields they provide and
// need, sets up the shared scalar space and drives the treatment clock: macro steps
// between output times and schedule events, statistics.csv / probes / ParaView output
// at output times, checkpoints (core/checkpoint.h) and restarts from them, progress on
// screen, and a summary at the end. Run-wide decisions live here: steady or transient,
// the degree of the shared space, the AMF frequency.
#pragma once

#include "core/checkpoint.h"
#include "core/field_registry.h"
#include "core/label_map.h"
#include "core/mesh_adaptivity.h"
#include "core/output_files.h"
#include "core/run_context.h"
#include "core/run_warnings.h"
#include "core/scalar_space.h"
#include "core/tissue_database.h"
#include "core/treatment_schedule.h"

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class DataOut;
}

namespace ferrotherm
{
class ElectromagneticModel;
class IronModel;
class ImmuneModel;
class InterstitialFlow;
class ModuleState;
class PennesHeat;
class PhysicsModule;
class Postprocessor;
class MeshGenerator;
class RunStatus;

class Simulator
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);

  // Parses everything, builds the mesh and the modules and checks every expression at
  // the mesh vertices. With `validate_only`, the mesh is refined (if it fits in memory)
  // and the scalar space and postprocessors are set up, but nothing is solved or
  // written. Otherwise `status` (if given) locks the output directory and records the
  // state of the run in it.
  Simulator(MPI_Comm comm, dealii::ParameterHandler &prm, const RunContext &context,
            std::ostream &screen, bool validate_only, RunStatus *status = nullptr);
  ~Simulator();

  // Runs the treatment to the end time (from the checkpoint's time when resuming).
  void run();

  // A one-paragraph description of the validated set-up.
  std::string describe() const;

  // --- access for modules and postprocessors ---
  MPI_Comm mpi_communicator() const { return comm; }
  dealii::ConditionalOStream &screen() { return pcout; }
  const dealii::parallel::distributed::Triangulation<3> &triangulation() const
  {
    return tria;
  }
  const ScalarSpace &scalar_space() const { return *space; }
  FieldRegistry &fields() { return field_registry; }
  const TreatmentSchedule &schedule() const { return treatment_schedule; }
  const ElectromagneticModel &electromagnetics() const { return *em; }
  const RunContext &context() const { return run_context; }
  const std::string &output_directory() const { return output_path; }
  // Counted warnings of questionable results (printed once per kind, in statistics.csv).
  RunWarnings &warnings() { return run_warnings; }

  // All tissues of the database (also labels that the tissue mesh lacks).
  const TissueDatabase &tissue_table() const { return tissue_database; }
  // Tissue of a mesh label (null for labels absent from the mesh), indexed by label.
  const LabelMap<const Tissue *> &tissue_of_label() const { return label_tissues; }
  // Labels present in the mesh.
  const std::set<unsigned int> &labels_in_mesh() const { return mesh_labels; }
  // Labels of the target tissues (Tissues/Target tissues).
  const std::set<unsigned int> &target_labels() const { return targets; }
  const std::map<std::string, dealii::types::boundary_id> &boundary_names() const
  {
    return named_boundaries;
  }
  std::set<dealii::types::boundary_id> boundary_ids_in_mesh() const;

  // Nodal weights w_i = integral over the cells with one of `labels` of the basis
  // function i, for the locally owned dofs of the scalar space (local index, weight)
  // with w_i > 0. The weighted nodal values give exact tissue means and volume
  // percentiles (T90) consistent with the FE field.
  std::vector<std::pair<unsigned int, double>>
  nodal_weights(const std::set<unsigned int> &labels) const;

  // Lets every module add its fields to a ParaView output.
  void add_module_output(dealii::DataOut<3, 3> &data_out);

  // Coil-current scale of the step (t_old, t_new] (steady runs: 1 if any session).
  double field_scale(double t_old, double t_new) const;
  // Heat/Time stepping = steady: one solve at the end time.
  bool is_steady() const { return steady; }
  // Sessions are cut into coupling steps (a module follows the session temperature).
  bool follows_sessions() const { return follow_sessions; }
  // Degree of the shared scalar space (Heat/Finite element degree).
  unsigned int finite_element_degree() const { return degree; }
  // The AMF frequency now [Hz]: Electromagnetics/Frequency, or that of the session the
  // run is in (or was last in).
  double amf_frequency() const { return frequency; }
  // Every frequency the sessions run at (each once, sorted).
  std::vector<double> amf_frequencies() const;
  // True while a run continues from a checkpoint.
  bool resuming() const { return !resume_directory.empty(); }
  // True during a set-up whose state is restored afterwards (a restart from a
  // checkpoint, an adaptive mesh change): the modules' initial state is not computed.
  bool restoring_state() const { return restoring; }
  // Adaptivity/Enabled: the mesh changes during the run.
  bool adaptive_mesh() const { return adaptivity.enabled(); }

private:
  MPI_Comm comm;
  dealii::ConditionalOStream pcout;
  RunContext run_context;
  bool validate_only;
  bool steady = false;
  unsigned int degree = 1;
  double frequency = 0, nominal_frequency = 0;
  RunWarnings run_warnings;

  dealii::parallel::distributed::Triangulation<3> tria;
  std::unique_ptr<MeshGenerator> mesh_generator;
  unsigned int global_refinements = 0;
  unsigned int target_refinements = 0;
  bool save_mesh = false;
  std::string saved_mesh; // the text of <output>/mesh.ftmesh (rank 0), until written
  std::map<std::string, dealii::types::boundary_id> named_boundaries;

  TissueDatabase tissue_database;
  LabelMap<const Tissue *> label_tissues;
  std::set<unsigned int> mesh_labels;
  std::set<unsigned int> targets;
  std::vector<std::string> target_names;

  TreatmentSchedule treatment_schedule;
  bool follow_sessions = false;
  FieldRegistry field_registry;
  std::unique_ptr<ScalarSpace> space;

  std::unique_ptr<ElectromagneticModel> em;
  std::unique_ptr<InterstitialFlow> flow;
  std::unique_ptr<IronModel> iron;
  std::unique_ptr<ImmuneModel> immune;
  std::unique_ptr<PennesHeat> heat;
  // The modules above in the order they advance (providers before their consumers).
  std::vector<PhysicsModule *> modules;
  std::vector<std::string> module_names;
  std::vector<std::unique_ptr<Postprocessor>> postprocessors;

  std::string output_path;
  double output_interval = 60;
  RunStatus *run_status;
  std::string parameters_text; // ShortPRM of the run, stored with checkpoints
  Checkpoint checkpoint;
  std::string resume_directory; // the checkpoint this run continues ("" if none)
  bool restoring = false;
  MeshAdaptivity adaptivity;
  unsigned int initial_level = 0; // refinement level before any adaptation

  // The treatment clock (part of the checkpointed state).
  double current_time = 0;
  double next_output = 0;
  double wall_offset = 0; // wall time of the runs before the last restart
  unsigned int macro_steps = 0;
  unsigned int adaptations = 0;
  // An adaptation due when the run stopped (at its end time or on a signal), so skipped:
  // a resumed run does it first, as the uninterrupted run would have.
  bool adaptation_pending = false;
  // Wall times of set-up phases, time loop and output; printed at the end. Rank 0's
  // own times (MPI_COMM_SELF): no collective operation when an exception unwinds.
  dealii::TimerOutput timer;
  CsvTable statistics;

  void parse_parameters(dealii::ParameterHandler &prm);
  void build_mesh();
  // The modules in dependency order: each after the providers of its needed fields.
  void order_modules();
  // Every module's and postprocessor's state, and the clock's.
  void collect_state(ModuleState &state);
  void restore_checkpoint();
  void write_checkpoint(double wall_seconds);
  // Refines and coarsens by the indicators, transfers every module's state.
  void adapt_mesh();
  // Per tissue, the volume of its active cells (on screen and in log.txt).
  void print_tissue_volumes();
  // Before a macro step inside a session at another frequency: the tissue dielectrics
  // at that frequency, then the field model solves again.
  void follow_session_frequency(double t_old, double t_new);
  void check_memory_estimate() const;
  void check_expressions_are_finite() const;
  void warn_about_sessions_outside_the_run();
  void write_output(double time, double wall_seconds);
  void print_summary(double wall_seconds) const;
};
} // namespace ferrotherm
