// Simulator: set-up and treatment clock of a run (see simulator.h).
#include "core/simulator.h"

#include "core/input_error.h"
#include "core/mesh_check.h"
#include "core/module_state.h"
#include "core/parsed_function.h"
#include "core/range_check.h"
#include "core/run_status.h"
#include "core/state_transfer.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
#include "models/magnets/magnet_arrangement.h"
#include "models/meshes/mesh_generator.h"
#include "models/meshes/saved_mesh_file.h"
#include "physics/em/electromagnetic_model.h"
#include "physics/flow/interstitial_flow.h"
#include "physics/heat/pennes_heat.h"
#include "physics/immune/immune_model.h"
#include "physics/transport/iron_model.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace ferrotherm
{
using namespace dealii;

void Simulator::declare_parameters(ParameterHandler &prm)
{
  prm.declare_entry(
      "Additional shared libraries", "", Patterns::Anything(),
      "Comma-separated shared libraries (.so) loaded before the parameters are "
      "read; their plugins register themselves and appear in the parameter "
      "documentation.");
  prm.declare_entry("Function constants", "", Patterns::Anything(),
                    "Constants for all expressions, 'name=value, name=value'.");

  prm.enter_subsection("Mesh");
  MeshGenerator::declare_parameters(prm);
  prm.declare_entry("Global refinements", "2", Patterns::Integer(0, 10),
                    "Uniform refinements of the coarse mesh.");
  prm.declare_entry("Target refinements", "0", Patterns::Integer(0, 6),
                    "Additional refinements of the target-tissue cells (hanging nodes).");
  prm.declare_entry(
      "Save mesh", "false", Patterns::Bool(),
      "Write the mesh of the run before the Target refinements (coarse cells, "
      "refinement trees, labels, boundary names) to <Output directory>/mesh.ftmesh, for "
      "Mesh/Model = saved. Not with curved manifolds (layered sphere, box with tumour).");
  prm.leave_subsection();

  prm.enter_subsection("Tissues");
  prm.declare_entry("Database", "$FERROTHERM_DATA/tissues.csv", Patterns::Anything(),
                    "Tissue property table (CSV; see prm/tissues.csv for the columns).");
  prm.declare_entry("Dielectric parameter table",
                    "$FERROTHERM_DATA/gabriel-cole-cole-parameters.tsv",
                    Patterns::Anything(),
                    "Gabriel et al. (1996) Cole-Cole parameters, for 'gabriel:<tissue>' "
                    "entries of the database.");
  prm.declare_entry("Target tissues", "tumour", Patterns::Anything(),
                    "Comma-separated tissue names treated as the target (T90, CEM43T90, "
                    "damaged fraction); may be empty.");
  prm.declare_entry(
      "Property overrides", "", Patterns::Anything(),
      "Per-tissue overrides of database values, e.g. "
      "'tumour: perfusion_rate=0.002, metabolic_heat=20; muscle: density=1050'.");
  prm.leave_subsection();

  prm.enter_subsection("Electromagnetics");
  ElectromagneticModel::declare_parameters(prm);
  prm.leave_subsection();

  InterstitialFlow::declare_parameters(prm);
  prm.enter_subsection("Transport");
  IronModel::declare_parameters(prm);
  prm.leave_subsection();
  MagnetArrangement::declare_parameters(prm);

  prm.enter_subsection("Immune");
  ImmuneModel::declare_parameters(prm);
  prm.leave_subsection();

  // Run-wide choices, in the Heat section where users look for them.
  prm.enter_subsection("Heat");
  prm.declare_entry("Finite element degree", "1", Patterns::Integer(1, 3),
                    "Polynomial degree of the continuous Lagrange elements of all scalar "
                    "fields (1: trilinear, 2: triquadratic).");
  prm.declare_entry(
      "Time stepping", "bdf2", Patterns::Selection("steady|backward euler|bdf2"),
      "'steady': the steady state with the field on; 'backward euler' (first "
      "order); 'bdf2': variable-step second-order backward differentiation.");
  prm.leave_subsection();
  PennesHeat::declare_parameters(prm);
  TreatmentSchedule::declare_parameters(prm);
  Checkpoint::declare_parameters(prm);
  MeshAdaptivity::declare_parameters(prm);

  prm.enter_subsection("Output");
  prm.declare_entry("Output directory", "output", Patterns::Anything(),
                    "Directory of all results (relative to the working directory).");
  prm.declare_entry("Output interval", "60", Patterns::Anything(),
                    "Simulated time between outputs (statistics, probes, solution), in "
                    "(0, 1e8 s]. " +
                        time_syntax);
  prm.leave_subsection();

  prm.enter_subsection("Postprocess");
  Postprocessor::declare_parameters(prm);
  prm.leave_subsection();
}

Simulator::Simulator(MPI_Comm comm, ParameterHandler &prm, const RunContext &context,
                     std::ostream &screen, bool validate_only, RunStatus *status)
    : comm(comm), pcout(screen, Utilities::MPI::this_mpi_process(comm) == 0),
      run_context(context), validate_only(validate_only), run_warnings(pcout),
      // Rebuilding the local mesh from the p4est forest at every refinement gives the
      // cells one order, whatever the refinement history: a run resumed from a
      // checkpoint assembles in the same order as the run that wrote it (bitwise
      // restarts, also of adaptive runs).
      tria(comm, Triangulation<3>::limit_level_difference_at_vertices,
           parallel::distributed::Triangulation<
               3>::Settings::mesh_reconstruction_after_repartitioning),
      run_status(status),
      timer(MPI_COMM_SELF, pcout, TimerOutput::never, TimerOutput::wall_times)
{
  parse_parameters(prm);
  check_output_directory(output_path, comm);
  {
    std::ostringstream parameters;
    prm.print_parameters(parameters, ParameterHandler::ShortPRM);
    parameters_text = parameters.str();
  }
  if (!validate_only && !steady)
    resume_directory =
        checkpoint.find_resume_directory(output_path, run_context.input_directory, comm);
  if (resuming())
    Checkpoint::check_parameters(
        Checkpoint::read_file(resume_directory, "parameters.prm"), parameters_text,
        resume_directory);
  {
    TimerOutput::Scope scope(timer, "set-up: mesh");
    build_mesh();
  }
  for (PhysicsModule *module : modules)
    module->initialize(*this);
  order_modules();
  adaptivity.check_fields(field_registry);

  {
    TimerOutput::Scope scope(timer, "set-up: DoFs and mapping");
    space = std::make_unique<ScalarSpace>(tria, degree);
    space->setup();
  }
  check_expressions_are_finite();
  if (!validate_only)
  {
    TimerOutput::Scope scope(timer, "set-up: physics (assembly, initial state)");
    restoring = resuming();
    for (PhysicsModule *module : modules)
      module->setup();
  }
  {
    TimerOutput::Scope scope(timer, "set-up: postprocessors");
    for (auto &postprocessor : postprocessors)
      postprocessor->initialize(*this);
  }
  if (validate_only)
    return;

  if (Utilities::MPI::this_mpi_process(comm) == 0)
    create_directories(output_path);
  if (run_status != nullptr)
    run_status->start(output_path);
  if (resuming())
  {
    TimerOutput::Scope scope(timer, "set-up: restart from the checkpoint");
    restore_checkpoint();
    restoring = false;
  }
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    write_file_atomically(output_path + "/parameters.prm", parameters_text);
    if (!saved_mesh.empty())
    {
      write_file_atomically(output_path + "/mesh.ftmesh", saved_mesh);
      pcout << "Saved the mesh to " << output_path << "/mesh.ftmesh (Mesh/Model = saved)"
            << std::endl;
    }
  }
  saved_mesh.clear();
  MPI_Barrier(comm);
}

Simulator::~Simulator() = default;

void Simulator::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Mesh");
  mesh_generator = PluginRegistry<MeshGenerator>::instance().create(prm.get("Model"));
  mesh_generator->parse_parameters(prm, run_context);
  global_refinements = prm.get_integer("Global refinements");
  target_refinements = prm.get_integer("Target refinements");
  save_mesh = prm.get_bool("Save mesh");
  prm.leave_subsection();

  prm.enter_subsection("Heat");
  degree = prm.get_integer("Finite element degree");
  steady = prm.get("Time stepping") == "steady";
  prm.leave_subsection();

  prm.enter_subsection("Electromagnetics");
  em = PluginRegistry<ElectromagneticModel>::instance().create(prm.get("Model"));
  frequency = parse_double(prm.get("Frequency"), "Electromagnetics/Frequency");
  if (!(frequency > 0))
    throw_input_error("Electromagnetics/Frequency",
                      "must be positive, found " + prm.get("Frequency"));
  check_range(frequency, 0, 1e8, "Electromagnetics/Frequency", "Hz",
              LowerBound::exclusive);
  nominal_frequency = frequency;
  em->set_frequency(frequency);
  em->parse_parameters(prm, run_context);
  prm.leave_subsection();

  prm.enter_subsection("Tissues");
  tissue_database = TissueDatabase::read(
      resolve_input_path(prm.get("Database"), run_context.input_directory),
      resolve_input_path(prm.get("Dielectric parameter table"),
                         run_context.input_directory),
      frequency);
  tissue_database.apply_overrides(prm.get("Property overrides"),
                                  "Tissues/Property overrides");
  target_names.clear();
  if (!trim(prm.get("Target tissues")).empty())
    for (const auto &name : split(prm.get("Target tissues"), ','))
    {
      if (tissue_database.find_name(name) == nullptr)
        throw_input_error("Tissues/Target tissues",
                          "no tissue named '" + name + "' in the tissue database");
      target_names.push_back(name);
    }
  prm.leave_subsection();

  flow = std::make_unique<InterstitialFlow>();
  prm.enter_subsection("Interstitial flow");
  flow->parse_parameters(prm, run_context);
  prm.leave_subsection();

  prm.enter_subsection("Transport");
  iron = PluginRegistry<IronModel>::instance().create(prm.get("Model"));
  iron->parse_parameters(prm, run_context);
  prm.leave_subsection();

  heat = std::make_unique<PennesHeat>();
  heat->parse_parameters(prm, run_context);
  prm.enter_subsection("Immune");
  const std::string immune_model = prm.get("Model");
  immune = PluginRegistry<ImmuneModel>::instance().create(immune_model);
  immune->parse_parameters(prm, run_context);
  prm.leave_subsection();
  modules = {em.get(), flow.get(), iron.get(), heat.get(), immune.get()};
  module_names = {"Electromagnetics", "Interstitial flow", "Transport", "Heat", "Immune"};
  if (immune_model != "none" && steady)
    throw_input_error("Immune/Model", "the immune layer needs a transient run (Heat/Time "
                                      "stepping is steady)");
  treatment_schedule.parse_parameters(prm);
  if (!steady && !(treatment_schedule.end_time() > 0))
    throw_input_error("Treatment schedule/End time",
                      "must be positive for transient runs");
  if (!steady)
    warn_about_sessions_outside_the_run();

  prm.enter_subsection("Output");
  output_path = trim(prm.get("Output directory"));
  if (output_path.empty())
    throw_input_error("Output/Output directory", "must not be empty");
  output_interval = parse_time(prm.get("Output interval"), "Output/Output interval");
  if (!(output_interval > 0))
    throw_input_error("Output/Output interval", "must be positive");
  check_range(output_interval, 0, 1e8, "Output/Output interval", "s",
              LowerBound::exclusive);
  constexpr double max_outputs = 1e6;
  if (!steady && treatment_schedule.end_time() / output_interval > max_outputs)
    throw_input_error("Output/Output interval",
                      format_number(output_interval) + " s gives " +
                          format_number(treatment_schedule.end_time() / output_interval) +
                          " outputs over the End time, more than " +
                          format_number(max_outputs) + "; choose a longer interval");
  prm.leave_subsection();

  checkpoint.parse_parameters(prm);
  adaptivity.parse_parameters(prm);

  prm.enter_subsection("Postprocess");
  postprocessors.clear();
  const std::string list = prm.get("List of postprocessors");
  std::set<std::string> listed;
  if (!trim(list).empty())
    for (const auto &name : split(list, ','))
    {
      if (!listed.insert(name).second)
        throw_input_error("Postprocess/List of postprocessors",
                          "'" + name + "' is listed twice (its columns would repeat)");
      postprocessors.push_back(PluginRegistry<Postprocessor>::instance().create(name));
      postprocessors.back()->parse_parameters(prm, run_context);
    }
  prm.leave_subsection();
}

void Simulator::warn_about_sessions_outside_the_run()
{
  const double end = treatment_schedule.end_time();
  for (const auto &session : treatment_schedule.sessions())
  {
    std::ostringstream text;
    text << "Treatment schedule/AMF sessions: the session " << session.first << "-"
         << session.second << " s ";
    std::string kind;
    if (session.first >= end)
    {
      kind = "AMF session after the end";
      text << "starts at or after the End time (" << end << " s) and is not applied";
    }
    else if (session.second > end * (1 + 1e-12))
    {
      kind = "AMF session cut at the end";
      text << "is cut at the End time (" << end << " s)";
    }
    else
      continue;
    run_warnings.warn(kind, text.str());
  }
}

void Simulator::build_mesh()
{
  mesh_generator->create_coarse_mesh(tria);
  check_coarse_mesh(tria, mesh_generator->source());
  named_boundaries = mesh_generator->boundary_names();
  targets.clear();
  for (const auto &name : target_names)
    targets.insert(tissue_database.find_name(name)->label);

  check_memory_estimate();
  initial_level = mesh_generator->built_in_refinements() + global_refinements;
  if (resuming())
  {
    // The refined mesh of the checkpoint, partitioned over this run's ranks.
    Checkpoint::load_mesh(resume_directory, tria);
    mesh_generator->assign_labels(tria);
  }
  else
    mesh_generator->refine(tria, global_refinements, "Mesh/Global refinements");
  if (save_mesh && !validate_only && !resuming())
    saved_mesh =
        saved_mesh_text(tria, named_boundaries, mesh_generator->built_in_refinements(),
                        global_refinements, mesh_generator->source());

  // The labels of the active cells of every rank (an image mesh resolves labels below
  // the coarse cells).
  mesh_labels = active_cell_labels(tria);
  label_tissues.clear();
  std::string missing;
  for (const unsigned int label : mesh_labels)
  {
    label_tissues[label] = tissue_database.find_label(label);
    if (label_tissues[label] == nullptr)
      missing += (missing.empty() ? "" : ", ") + std::to_string(label);
  }
  if (!missing.empty())
  {
    std::string in_mesh, known;
    for (const unsigned int label : mesh_labels)
      in_mesh += (in_mesh.empty() ? "" : ", ") + std::to_string(label);
    for (const auto &tissue : tissue_database.all())
      known += (known.empty() ? "" : ", ") + std::to_string(tissue.label) + " (" +
               tissue.name + ")";
    throw_input_error("Tissues/Database",
                      "the mesh has the labels " + in_mesh +
                          " but the database has no tissue for label(s) " + missing +
                          "; the database defines " + known);
  }
  for (const auto &name : target_names)
  {
    const Tissue *tissue = tissue_database.find_name(name);
    if (mesh_labels.count(tissue->label) == 0)
      throw_input_error("Tissues/Target tissues",
                        "the target tissue '" + name + "' (label " +
                            std::to_string(tissue->label) + ") is not in the mesh");
  }
  if (resuming())
    return;
  for (unsigned int r = 0; r < target_refinements; ++r)
  {
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned() && targets.count(cell->material_id()))
        cell->set_refine_flag();
    tria.execute_coarsening_and_refinement();
    // The mesh is rebuilt from the p4est forest: labels below the coarse cells anew.
    mesh_generator->assign_labels(tria);
  }
  print_tissue_volumes();
}

void Simulator::print_tissue_volumes()
{
  std::map<unsigned int, double> volumes;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      volumes[cell->material_id()] += cell->measure();
  std::ostringstream text;
  text << "Tissue volumes:" << std::setprecision(10);
  for (const unsigned int label : mesh_labels)
    text << " " << label_tissues[label]->name << " "
         << Utilities::MPI::sum(volumes[label], comm) * 1e6 << " mL;";
  pcout << text.str() << std::endl;
}

void Simulator::check_memory_estimate() const
{
  // Every coarse cell becomes 8^refinements cells (a target cell 8^more); a cell carries
  // about degree^3 temperature DoFs, and a DoF a few kB: the mesh, the rows of the
  // matrices and preconditioners, the vectors of every layer (measured: 4.3 kB (Q1) and
  // 4.7 kB (Q2) per DoF beyond the 180 MB of an empty run, tests/errors/base.prm with
  // 78737 DoFs). 4 kB is used, so only what cannot fit is refused.
  const double bytes_per_dof = 4e3;
  // The target cells (by the labels of the coarse cells) are refined further.
  unsigned int coarse_cells = 0, coarse_target_cells = 0;
  for (const auto &cell : tria.cell_iterators_on_level(0))
  {
    ++coarse_cells;
    coarse_target_cells += targets.count(cell->material_id());
  }
  const double cells =
      mesh_generator->estimated_active_cells(tria, global_refinements) *
      (1 + (std::pow(8.0, target_refinements) - 1) * coarse_target_cells / coarse_cells);
  const double dofs = cells * std::pow(degree, 3);
  const double bytes = dofs * bytes_per_dof;

  // The physical memory of every node of the run, counted once per node.
  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  const bool first_on_node = Utilities::MPI::this_mpi_process(node) == 0;
  MPI_Comm_free(&node);
  const double memory = Utilities::MPI::sum(
      first_on_node ? double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE))
                    : 0.0,
      comm);
  if (bytes > memory)
  {
    std::ostringstream text;
    text << std::setprecision(2) << global_refinements << " refinements";
    if (mesh_generator->built_in_refinements() > 0)
      text << " (plus " << mesh_generator->built_in_refinements()
           << " of the mesh model)";
    if (target_refinements > 0)
      text << " and " << target_refinements << " Target refinements";
    text << " of " << coarse_cells << " coarse cells give about " << cells
         << " cells and " << dofs << " temperature DoFs (Q" << degree
         << "), which need about " << bytes / 1e9 << " GB of memory ("
         << bytes_per_dof / 1e3 << " kB per DoF); the machine has " << memory / 1e9
         << " GB. Use fewer refinements (each one multiplies the memory "
         << "by 8) or more nodes";
    throw_input_error("Mesh/Global refinements", text.str());
  }
}

void Simulator::check_expressions_are_finite() const
{
  std::vector<Point<3>> points;
  const auto &vertices = tria.get_vertices();
  const auto &used = tria.get_used_vertices();
  for (unsigned int v = 0; v < vertices.size(); ++v)
    if (used[v])
      points.push_back(vertices[v]);
  const std::string problem =
      first_non_finite_expression(points, {0.0, treatment_schedule.end_time()});
  // The first problem found by any rank, on every rank.
  for (const auto &message : Utilities::MPI::all_gather(comm, problem))
    if (!message.empty())
      throw InputError(message);
}

std::set<types::boundary_id> Simulator::boundary_ids_in_mesh() const
{
  std::set<types::boundary_id> ids;
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const unsigned int f : cell->face_indices())
      if (cell->face(f)->at_boundary())
        ids.insert(cell->face(f)->boundary_id());
  return ids;
}

std::vector<std::pair<unsigned int, double>>
Simulator::nodal_weights(const std::set<unsigned int> &labels) const
{
  FieldVector weights = space->make_field_vector();
  FEValues<3> fe_values(*space->mapping, space->fe, space->cell_quadrature,
                        update_values | update_JxW_values);
  const unsigned int n = space->fe.n_dofs_per_cell();
  Vector<double> cell_weights(n);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space->dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned() || labels.count(cell->material_id()) == 0)
      continue;
    fe_values.reinit(cell);
    cell_weights = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      for (unsigned int i = 0; i < n; ++i)
        cell_weights(i) += fe_values.shape_value(i, q) * fe_values.JxW(q);
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      weights(indices[i]) += cell_weights(i);
  }
  weights.compress(VectorOperation::add);
  std::vector<std::pair<unsigned int, double>> result;
  for (unsigned int i = 0; i < weights.locally_owned_size(); ++i)
    if (weights.local_element(i) > 0)
      result.emplace_back(i, weights.local_element(i));
  return result;
}

void Simulator::add_module_output(DataOut<3> &data_out)
{
  for (PhysicsModule *module : modules)
    module->add_output(data_out);
}

void Simulator::order_modules()
{
  // Stable topological order: repeatedly take the first module (in the declared order)
  // whose needed fields are all provided by modules already taken (or by none).
  std::vector<PhysicsModule *> remaining = modules, ordered;
  std::vector<std::string> remaining_names = module_names, ordered_names;
  while (!remaining.empty())
  {
    bool taken = false;
    for (unsigned int m = 0; m < remaining.size() && !taken; ++m)
    {
      bool ready = true;
      for (const auto &name : remaining[m]->needed_fields())
        if (const std::string provider = field_registry.provider(name); !provider.empty())
          for (unsigned int other = 0; other < remaining.size(); ++other)
            ready = ready && (other == m || remaining_names[other] != provider);
      if (!ready)
        continue;
      ordered.push_back(remaining[m]);
      ordered_names.push_back(remaining_names[m]);
      remaining.erase(remaining.begin() + m);
      remaining_names.erase(remaining_names.begin() + m);
      taken = true;
    }
    if (!taken)
    {
      std::string cycle;
      for (const auto &name : remaining_names)
        cycle += (cycle.empty() ? "" : ", ") + name;
      throw std::logic_error("the modules " + cycle +
                             " need each other's fields within a step (a cycle)");
    }
  }
  modules = ordered;
  module_names = ordered_names;
}

void Simulator::collect_state(ModuleState &state)
{
  state.begin_module("Simulator");
  state.add_record(
      [this](StateArchive &archive)
      {
        archive &current_time &next_output &wall_offset &macro_steps &adaptations
            &adaptation_pending &checkpoint.sequence &checkpoint.last_time &frequency;
        statistics.serialize(archive);
        run_warnings.serialize(archive);
      });
  for (unsigned int m = 0; m < modules.size(); ++m)
  {
    state.begin_module(module_names[m]);
    modules[m]->register_state(state);
  }
  for (unsigned int p = 0; p < postprocessors.size(); ++p)
  {
    state.begin_module("Postprocess " + std::to_string(p));
    Postprocessor *postprocessor = postprocessors[p].get();
    state.add_record([postprocessor](StateArchive &archive)
                     { postprocessor->serialize_state(archive); });
  }
}

void Simulator::restore_checkpoint()
{
  ModuleState state;
  collect_state(state);
  StateTransfer(state).restore_from_checkpoint();
  try
  {
    state.load_records(Checkpoint::read_file(resume_directory, "state.bin"));
  }
  catch (const std::runtime_error &error)
  {
    throw InputError("Checkpoint/Resume: " + resume_directory + ": " + error.what());
  }
  if (frequency != em->frequency())
  {
    // Checkpointed in or after a session at another frequency: its fields again.
    tissue_database.set_frequency(frequency);
    em->change_frequency(frequency);
  }
  for (PhysicsModule *module : modules)
    module->state_restored();
  // Rows after the checkpoint (written before a kill) are dropped: the table continues.
  if (Utilities::MPI::this_mpi_process(comm) == 0 && !statistics.empty())
    statistics.write(output_path + "/statistics.csv");
  pcout << "Resuming from " << resume_directory << " at t = " << current_time << " s"
        << std::endl;
}

void Simulator::write_checkpoint(double wall_seconds)
{
  TimerOutput::Scope scope(timer, "checkpoints");
  const double saved_offset = wall_offset;
  wall_offset += wall_seconds;
  ModuleState state;
  collect_state(state);
  const std::string directory =
      checkpoint.write(tria, state, parameters_text, current_time, output_path, comm);
  wall_offset = saved_offset;
  pcout << "Checkpoint at t = " << current_time << " s: " << directory << std::endl;
}

void Simulator::adapt_mesh()
{
  TimerOutput::Scope scope(timer, "adaptive refinement");
  adaptivity.mark_cells(tria, *space, field_registry, initial_level);
  const unsigned int cells_before = tria.n_global_active_cells();
  for (PhysicsModule *module : modules)
    module->prepare_for_mesh_change();
  ModuleState state;
  collect_state(state);
  const std::string records = state.save_records();
  StateTransfer transfer(state);
  transfer.attach(false);
  tria.execute_coarsening_and_refinement();
  mesh_generator->assign_labels(tria);
  space->setup();
  restoring = true;
  for (PhysicsModule *module : modules)
    module->setup();
  restoring = false;
  transfer.restore_after_refinement();
  state.load_records(records);
  for (PhysicsModule *module : modules)
    module->state_restored();
  for (auto &postprocessor : postprocessors)
    postprocessor->mesh_changed(*this);
  ++adaptations;
  pcout << "Adapted the mesh at t = " << current_time << " s: " << cells_before << " -> "
        << tria.n_global_active_cells() << " cells, " << space->dof_handler.n_dofs()
        << " temperature DoFs" << std::endl;
}

std::vector<double> Simulator::amf_frequencies() const
{
  std::vector<double> used = treatment_schedule.session_frequencies();
  bool nominal_used = treatment_schedule.sessions().empty();
  for (const auto &session : treatment_schedule.sessions())
    if (treatment_schedule.session_frequency(session.first, session.second) == 0)
      nominal_used = true;
  if (nominal_used)
    used.push_back(nominal_frequency);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

void Simulator::follow_session_frequency(double t_old, double t_new)
{
  if (treatment_schedule.field_scale(t_old, t_new) == 0)
    return; // off: the frequency of the next session decides
  double session = treatment_schedule.session_frequency(t_old, t_new);
  if (session == 0)
    session = nominal_frequency;
  if (session == frequency)
    return;
  frequency = session;
  tissue_database.set_frequency(frequency);
  em->change_frequency(frequency);
  pcout << "Electromagnetics: the session at t = " << t_old << " s runs at " << frequency
        << " Hz: tissue conductivities and fields at that frequency" << std::endl;
}

double Simulator::field_scale(double t_old, double t_new) const
{
  if (is_steady())
    return treatment_schedule.sessions().empty() ? 0.0 : 1.0;
  return treatment_schedule.field_scale(t_old, t_new);
}

std::string Simulator::describe() const
{
  std::ostringstream text;
  text << "mesh: " << tria.n_global_active_cells() << " cells, "
       << space->dof_handler.n_dofs() << " temperature DoFs";
  text << ", refinements: " << global_refinements << " global";
  if (target_refinements)
    text << " + " << target_refinements << " in the target";
  text << "\ntissues:";
  for (const unsigned int label : mesh_labels)
    text << " " << label << "=" << label_tissues[label]->name;
  text << "\nfields:";
  for (const auto &field : field_registry.entries())
    text << " " << field.first << " [" << field.second.unit << "] from "
         << field.second.provider << ";";
  for (const auto &field : field_registry.vector_entries())
    text << " " << field.first << " [" << field.second.unit << ", vector] from "
         << field.second.provider << ";";
  text << "\nend time " << treatment_schedule.end_time() << " s";
  return text.str();
}

void Simulator::run()
{
  const auto wall_start = std::chrono::steady_clock::now();
  auto wall_seconds = [&]()
  {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start)
        .count();
  };
  pcout << "Ferrotherm: " << tria.n_global_active_cells() << " cells, "
        << space->dof_handler.n_dofs() << " temperature DoFs (Q" << space->fe.degree
        << "), " << Utilities::MPI::n_mpi_processes(comm) << " MPI rank(s), "
        << linear_algebra_backend() << std::endl;

  const double end = treatment_schedule.end_time();
  if (steady)
  {
    const unsigned int cycles = adaptivity.enabled() ? adaptivity.steady_cycles() : 0;
    for (unsigned int cycle = 0; cycle <= cycles; ++cycle)
    {
      if (cycle > 0)
        adapt_mesh();
      TimerOutput::Scope scope(timer, "steady solve");
      for (PhysicsModule *module : modules)
        module->advance(0, end);
    }
    write_output(end, wall_seconds());
    print_summary(wall_seconds());
    return;
  }
  if (!resuming())
  {
    current_time = 0;
    next_output = output_interval;
    write_output(0, 0);
  }
  if (adaptation_pending && current_time < end * (1 - 1e-12))
  {
    adapt_mesh();
    adaptation_pending = false;
  }
  follow_sessions = std::any_of(modules.begin(), modules.end(),
                                [](const PhysicsModule *module)
                                { return module->follows_session_temperature(); });
  while (current_time < end * (1 - 1e-12))
  {
    const double t_next =
        std::min({next_output,
                  follow_sessions ? treatment_schedule.next_coupling_time(current_time)
                                  : treatment_schedule.next_event_after(current_time),
                  end});
    {
      TimerOutput::Scope scope(timer, "time steps: Electromagnetics");
      follow_session_frequency(current_time, t_next);
    }
    for (unsigned int m = 0; m < modules.size(); ++m)
    {
      TimerOutput::Scope scope(timer, "time steps: " + module_names[m]);
      modules[m]->advance(current_time, t_next);
    }
    current_time = t_next;
    ++macro_steps;
    // SIGTERM/SIGINT on any rank: write the current state and stop on every rank.
    const int signal = interruption_signal(comm);
    const bool at_end = current_time >= end * (1 - 1e-12);
    const bool at_output_time = current_time >= next_output * (1 - 1e-12);
    const bool at_output = at_output_time || at_end;
    if (signal || at_output)
    {
      write_output(current_time, wall_seconds());
      next_output =
          (std::floor(current_time / output_interval + 1e-9) + 1) * output_interval;
    }
    // Not at the end (nothing follows); a run that continues from here adapts first, if
    // an uninterrupted run would have (the end time need not be an output time).
    const bool adaptation_due = adaptivity.due(macro_steps, at_output_time);
    if (!signal && !at_end && adaptation_due)
      adapt_mesh();
    adaptation_pending = adaptation_due && (signal || at_end);
    const bool checkpoint_now = signal || (at_end && checkpoint.at_end()) ||
                                (!at_end && checkpoint.periodic_due(current_time, comm));
    if (checkpoint_now)
      write_checkpoint(wall_seconds());
    if (signal)
    {
      print_summary(wall_seconds());
      throw RunInterrupted(signal, current_time);
    }
  }
  print_summary(wall_seconds());
}

void Simulator::write_output(double time, double wall)
{
  TimerOutput::Scope scope(timer, "output and postprocessing");
  StatisticsRow row;
  row.emplace_back("time_s", time);
  for (PhysicsModule *module : modules)
    module->add_statistics(row);
  for (auto &postprocessor : postprocessors)
    postprocessor->execute(time, row);
  if (adaptivity.enabled())
  {
    row.emplace_back("cells", tria.n_global_active_cells());
    row.emplace_back("mesh_adaptations", adaptations);
  }
  row.emplace_back("warnings", run_warnings.total());
  row.emplace_back("wall_time_s", wall_offset + wall);
  statistics.add_row(row);
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    statistics.write(output_path + "/statistics.csv");

  const double end = treatment_schedule.end_time();
  std::ostringstream line;
  line << std::fixed << std::setprecision(1) << "t = " << time << " s";
  if (end > 0 && !steady)
  {
    const double fraction = time / end;
    line << " (" << std::setprecision(0) << 100 * fraction << "%)" << std::setprecision(1)
         << " | wall " << wall << " s";
    if (fraction > 0 && fraction < 1)
      line << " | left ~" << wall * (1 - fraction) / fraction << " s";
  }
  else
    line << " | wall " << wall << " s";
  for (PhysicsModule *module : modules)
    if (const std::string summary = module->progress_summary(); !summary.empty())
      line << " | " << summary;
  pcout << line.str() << std::endl;
}

void Simulator::print_summary(double wall_seconds) const
{
  const auto &columns = statistics.column_names();
  const auto &values = statistics.last_row();
  auto value_of = [&](const std::string &name)
  {
    for (unsigned int c = 0; c < columns.size(); ++c)
      if (columns[c] == name)
        return values[c];
    return std::nan("");
  };
  std::ostringstream text;
  text << std::setprecision(4);
  text << "\nSummary at t = " << value_of("time_s") << " s (wall " << std::setprecision(3)
       << wall_seconds << " s):\n"
       << std::setprecision(4);
  // The heat layer's peaks over every step; else the largest output value.
  auto peak_of = [&](const std::string &peak, const std::string &name)
  {
    if (const double value = value_of(peak); !std::isnan(value))
      return value;
    const std::vector<double> column = statistics.column(name);
    return column.empty() ? std::nan("")
                          : *std::max_element(column.begin(), column.end());
  };
  text << "  peak temperature           " << peak_of("T_peak_C", "T_max_C")
       << " C (at the end " << value_of("T_max_C") << " C)\n";
  if (!targets.empty())
  {
    text << "  peak target T90            "
         << peak_of("target_T90_peak_C", "target_T90_C") << " C (at the end "
         << value_of("target_T90_C") << " C)\n";
    text << "  target T90 / T50 / T10     " << value_of("target_T90_C") << " / "
         << value_of("target_T50_C") << " / " << value_of("target_T10_C")
         << " C at the end\n";
    text << "  CEM43T90                   " << value_of("CEM43T90_min") << " min\n";
    text << "  target damaged fraction    " << value_of("target_damaged_fraction")
         << "\n";
    const double kept = value_of("iron_target_fraction");
    if (!std::isnan(kept))
      text << "  iron kept in the target    " << 100 * kept
           << "% of the iron in the body\n";
  }
  if (const std::vector<double> healthy = statistics.column("healthy_T_max_C");
      !healthy.empty())
    text << "  healthy tissue maximum     "
         << *std::max_element(healthy.begin(), healthy.end())
         << " C (largest at the outputs)\n";
  text << "  MNP energy deposited       " << value_of("energy_mnp_J") << " J\n";
  text << "  heat balance error         " << value_of("energy_balance_error")
       << " (relative)\n";
  if (run_warnings.total() > 0)
    text << "  WARNINGS                   " << run_warnings.summary()
         << " (see the log above)\n";
  // Peak resident memory of each rank (getrusage: kB on Linux).
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const auto memory = Utilities::MPI::min_max_avg(usage.ru_maxrss / 1024.0, comm);
  text << "  peak memory per rank       " << std::setprecision(4) << memory.min << " - "
       << memory.max << " MB (mean " << memory.avg << " MB)\n";
  text << "Results in " << output_path << "/: statistics.csv";
  text << ", log.txt, parameters.prm (and solution.pvd, probes.csv, errors.csv when "
          "enabled)\n";
  text << "Wall time [s]:";
  for (const auto &section : timer.get_summary_data(TimerOutput::total_wall_time))
    text << " " << section.first << " " << std::setprecision(3) << section.second << ";";
  pcout << text.str() << std::endl;
}
} // namespace ferrotherm
