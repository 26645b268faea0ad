// CustomReactionDiffusion: a reaction-diffusion system written in the parameter file
// (Immune/Model = custom),
//   du_k/dt = div(D_k grad u_k) + R_k(u, fields, x, y, z, t),   no flux on the boundary,
// with the species' names, diffusivities (per tissue label too), rates R_k as expressions
// of the species, of the nodal fields of the other layers by name (temperature [C], iron
// [kg/m^3], thermal_damage, ...), of x, y, z and t, and initial values as expressions of
// x, y, z. Solved by ReactionDiffusionSystem (Strang splitting, SDIRK2); every species is
// published as a field. For user models and for verification against closed forms
// (Fisher-KPP travelling waves, logistic growth, decay).
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/named_expression.h"
#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
#include "physics/immune/immune_model.h"
#include "physics/immune/reaction_diffusion_system.h"

#include <deal.II/base/mpi.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/numerics/data_out.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ferrotherm
{
namespace
{
using namespace dealii;

class CustomReactionDiffusion : public ImmuneModel
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Custom");
    prm.declare_entry("Species", "", Patterns::Anything(),
                      "Comma-separated species names (letters, digits and '_'), e.g. "
                      "'tumour_cells, damp'.");
    prm.declare_entry("Diffusivities", "", Patterns::Anything(),
                      "'name: D; ...' [m^2/s, at most 1e-5]; unlisted species do not "
                      "diffuse. "
                      "'name/label: D' sets the value in one tissue label, e.g. "
                      "'damp: 1e-10; damp/2: 5e-11'.");
    prm.declare_entry(
        "Chemotaxis", "", Patterns::Anything(),
        "'name: attractant, chi; ...': the species moves up the gradient of another "
        "species with the flux chi u grad(attractant) [chi in m^2/s per unit of the "
        "attractant, |chi| at most 1e-5], e.g. 'cd8: damp, 1e-10'.");
    prm.declare_entry(
        "Reactions", "", Patterns::Anything(),
        "'name: rate; ...' [unit/s]: expressions of the species, of the "
        "nodal fields by name (temperature in C, iron, thermal_damage, ...), "
        "x, y, z, t and the Function constants; unlisted species have none.");
    prm.declare_entry("Initial values", "", Patterns::Anything(),
                      "'name: expression of x, y, z; ...'; unlisted species start at 0.");
    prm.declare_entry("Time step", "60", Patterns::Anything(),
                      "Time step of the Strang splitting, in [1e-6 s, 1e8 s]. " +
                          time_syntax);
    ReactionDiffusionSystem::declare_parameters(prm);
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    const std::string section = "Immune/Custom/";
    prm.enter_subsection("Custom");
    species.clear();
    for (const std::string &name : split(prm.get("Species"), ','))
    {
      bool identifier =
          !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
      for (const char c : name)
        identifier =
            identifier && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
      if (!identifier)
        throw_input_error(section + "Species", "'" + name +
                                                   "' is not a name (letters, digits "
                                                   "and '_', starting with a letter)");
      for (const auto &other : species)
        if (other.name == name)
          throw_input_error(section + "Species", "'" + name + "' is listed twice");
      species.push_back({name, 0.0, {}, -1, 0.0});
    }
    if (species.empty())
      throw_input_error(section + "Species", "list at least one species");

    for (const auto &[key, value] :
         parse_key_value_list(prm.get("Diffusivities"), section + "Diffusivities"))
    {
      const auto slash = key.find('/');
      const double d = parse_double(value, section + "Diffusivities");
      if (d < 0)
        throw_input_error(section + "Diffusivities",
                          "negative diffusivity for '" + key + "'");
      check_range(d, 0, 1e-5, section + "Diffusivities (" + key + ")", "m^2/s");
      auto &entry =
          species[index_of(trim(key.substr(0, slash)), section + "Diffusivities")];
      if (slash == std::string::npos)
        entry.diffusivity = d;
      else
      {
        const unsigned int label =
            parse_unsigned(trim(key.substr(slash + 1)), section + "Diffusivities");
        entry.diffusivity_by_label[label] = d;
        labels_used.push_back(label);
      }
    }
    for (const auto &[key, value] :
         parse_key_value_list(prm.get("Chemotaxis"), section + "Chemotaxis"))
    {
      const std::vector<std::string> parts = split(value, ',');
      if (parts.size() != 2)
        throw_input_error(section + "Chemotaxis", "expected 'attractant, chi' for '" +
                                                      key + "', found '" + value + "'");
      auto &entry = species[index_of(key, section + "Chemotaxis")];
      entry.attractant =
          static_cast<int>(index_of(trim(parts[0]), section + "Chemotaxis"));
      if (&species[entry.attractant] == &entry)
        throw_input_error(section + "Chemotaxis",
                          "'" + key + "' cannot be its own attractant");
      entry.chemotaxis = parse_double(trim(parts[1]), section + "Chemotaxis");
      check_range(entry.chemotaxis, -1e-5, 1e-5, section + "Chemotaxis (" + key + ")",
                  "m^2/s");
    }
    rate_text.assign(species.size(), "");
    for (const auto &[key, value] :
         parse_key_value_list(prm.get("Reactions"), section + "Reactions"))
      rate_text[index_of(key, section + "Reactions")] = value;
    initial_text.assign(species.size(), "0");
    for (const auto &[key, value] :
         parse_key_value_list(prm.get("Initial values"), section + "Initial values"))
      initial_text[index_of(key, section + "Initial values")] = value;
    time_step = parse_time(prm.get("Time step"), section + "Time step");
    if (!(time_step > 0))
      throw_input_error(section + "Time step", "must be positive");
    check_range(time_step, 1e-6, 1e8, section + "Time step", "s");
    try
    {
      system.parse_parameters(prm, species.size());
    }
    catch (const std::invalid_argument &error)
    {
      throw_input_error(section + "Reaction tolerance", error.what());
    }
    prm.leave_subsection();
    constants = context.function_constants;
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    for (const unsigned int label : labels_used)
      if (sim.labels_in_mesh().count(label) == 0)
        throw_input_error("Immune/Custom/Diffusivities",
                          "the mesh has no label " + std::to_string(label));
    species_fields.clear();
    for (unsigned int k = 0; k < species.size(); ++k)
      species_fields.push_back(std::make_unique<SpeciesField>(this, k));
    for (unsigned int k = 0; k < species.size(); ++k)
    {
      if (sim.fields().find(species[k].name))
        throw_input_error("Immune/Custom/Species", "'" + species[k].name +
                                                       "' is already a field of "
                                                       "another layer");
      sim.fields().add(species[k].name, "-", "species of the custom model", "Immune",
                       species_fields[k].get());
    }
    bind_expressions();
  }

  // Binds the rate and initial-value expressions (so --validate checks them): the
  // variables are the species, x, y, z, t and every nodal field of the other layers.
  void bind_expressions()
  {
    const unsigned int n = species.size();
    current.assign(n, 0.0);
    std::map<std::string, const double *> variables, coordinates_only;
    for (unsigned int k = 0; k < n; ++k)
      variables[species[k].name] = &current[k];
    const char *coordinates[] = {"x", "y", "z"};
    for (unsigned int d = 0; d < 3; ++d)
    {
      variables[coordinates[d]] = &position[d];
      coordinates_only[coordinates[d]] = &position[d];
    }
    variables["t"] = &time;
    std::vector<std::string> field_names;
    for (const auto &[name, entry] : simulator->fields().entries())
      if (entry.provider != "Immune" && entry.field->nodal_values() != nullptr)
        field_names.push_back(name);
    field_values.assign(field_names.size(), 0.0);
    for (unsigned int j = 0; j < field_names.size(); ++j)
      variables[field_names[j]] = &field_values[j];

    rates.clear();
    input_fields.clear();
    initial.clear();
    for (unsigned int k = 0; k < n; ++k)
    {
      initial.push_back(std::make_unique<NamedExpression>(
          initial_text[k], "Immune/Custom/Initial values (" + species[k].name + ")",
          coordinates_only, constants));
      if (rate_text[k].empty())
      {
        rates.push_back(nullptr);
        continue;
      }
      rates.push_back(std::make_unique<NamedExpression>(
          rate_text[k], "Immune/Custom/Reactions (" + species[k].name + ")", variables,
          constants));
      for (const auto &used : rates.back()->used_variables())
        for (unsigned int j = 0; j < field_names.size(); ++j)
          if (used.first == field_names[j] &&
              std::find_if(input_fields.begin(), input_fields.end(),
                           [j](const auto &input)
                           { return input.first == j; }) == input_fields.end())
            input_fields.emplace_back(j, simulator->fields().find(field_names[j]));
    }
  }

  void setup() override
  {
    const ScalarSpace &space = simulator->scalar_space();
    system.setup(space, species);

    // Node positions of the locally owned DoFs, and the initial values there.
    std::map<types::global_dof_index, Point<3>> support_points;
    DoFTools::map_dofs_to_support_points(*space.mapping, space.dof_handler,
                                         support_points);
    node_positions.resize(space.locally_owned.n_elements());
    for (unsigned int i = 0; i < node_positions.size(); ++i)
      node_positions[i] = support_points.at(space.locally_owned.nth_index_in_set(i));
    for (unsigned int k = 0; k < species.size(); ++k)
    {
      FieldVector start = space.make_field_vector();
      for (unsigned int i = 0; i < node_positions.size(); ++i)
      {
        for (unsigned int d = 0; d < 3; ++d)
          position[d] = node_positions[i][d];
        start.local_element(i) = initial[k]->value();
      }
      system.set_values(k, start);
    }
    ++version;
  }

  void advance(double t_old, double t_new) override
  {
    const double interval = t_new - t_old;
    if (!(interval > 0))
      return;
    const unsigned int n_steps =
        static_cast<unsigned int>(std::max(1.0, std::ceil(interval / time_step - 1e-9)));
    const double dt = interval / n_steps;
    if (interval < time_step * (1 - 1e-9))
      simulator->warnings().warn_shortened_step("Immune/Custom/Time step", time_step, dt);
    const auto kinetics =
        [this](unsigned int node, double t, const double *values, double *result)
    {
      for (unsigned int k = 0; k < species.size(); ++k)
        current[k] = values[k];
      for (unsigned int d = 0; d < 3; ++d)
        position[d] = node_positions[node][d];
      time = t;
      for (const auto &[j, field] : input_fields)
        field_values[j] = field->nodal_values()->local_element(node);
      for (unsigned int k = 0; k < species.size(); ++k)
        result[k] = rates[k] ? rates[k]->value() : 0.0;
    };
    for (unsigned int s = 0; s < n_steps; ++s)
      system.step(t_old + s * dt, dt, kinetics);
    n_steps_total += n_steps;
    ++version;
  }

  std::vector<std::string> needed_fields() const override
  {
    std::vector<std::string> names;
    for (const auto &input : input_fields)
      for (const auto &[name, entry] : simulator->fields().entries())
        if (entry.field == input.second)
          names.push_back(name);
    return names;
  }

  void register_state(ModuleState &state) override
  {
    system.register_state(state);
    state.add_record([this](StateArchive &archive) { archive &n_steps_total; });
  }

  void state_restored() override { ++version; }

  void add_statistics(StatisticsRow &row) const override
  {
    for (unsigned int k = 0; k < species.size(); ++k)
    {
      row.emplace_back(species[k].name + "_total", system.total(k));
      row.emplace_back(species[k].name + "_min", system.minimum(k));
      row.emplace_back(species[k].name + "_max", system.maximum(k));
    }
    row.emplace_back("immune_steps", n_steps_total);
    row.emplace_back("immune_reaction_substeps", system.reaction_substeps());
    row.emplace_back("immune_linear_iterations", system.linear_iterations());
  }

  void add_output(DataOut<3> &data_out) override
  {
    for (unsigned int k = 0; k < species.size(); ++k)
      data_out.add_data_vector(simulator->scalar_space().dof_handler, system.values(k),
                               species[k].name);
  }

private:
  struct SpeciesField : Field
  {
    const CustomReactionDiffusion *model;
    unsigned int k;
    SpeciesField(const CustomReactionDiffusion *model, unsigned int k)
        : model(model), k(k)
    {
    }
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &result) const override
    {
      fe_values.get_function_values(model->system.values(k), result);
    }
    unsigned int version() const override { return model->version; }
    const FieldVector *nodal_values() const override { return &model->system.values(k); }
  };

  unsigned int index_of(const std::string &name, const std::string &where) const
  {
    for (unsigned int k = 0; k < species.size(); ++k)
      if (species[k].name == name)
        return k;
    throw_input_error(where, "'" + name + "' is not one of the Species");
  }

  Simulator *simulator = nullptr;
  std::vector<ReactionDiffusionSystem::Species> species;
  std::vector<unsigned int> labels_used;
  std::vector<std::string> rate_text, initial_text;
  std::map<std::string, double> constants;
  double time_step = 60;
  ReactionDiffusionSystem system;
  std::vector<std::unique_ptr<SpeciesField>> species_fields;

  // Expression variables and the nodal inputs they read.
  std::vector<std::unique_ptr<NamedExpression>> rates, initial;
  std::vector<Point<3>> node_positions;
  std::vector<double> current, field_values;
  std::vector<std::pair<unsigned int, const Field *>> input_fields;
  double position[3] = {0, 0, 0};
  double time = 0;

  unsigned int version = 0, n_steps_total = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ImmuneModel, CustomReactionDiffusion, "custom",
                           "a reaction-diffusion system written as expressions")
} // namespace ferrotherm
