// Parsing and evaluation of heat boundary conditions (see heat_boundary_conditions.h).
#include "physics/heat/heat_boundary_conditions.h"

#include "core/boundary_names.h"
#include "core/input_error.h"
#include "core/text_parsing.h"

#include <deal.II/base/point.h>

#include <cmath>
#include <sstream>

namespace ferrotherm
{
bool HeatBoundaryCondition::depends_on_time() const
{
  return type == Type::convective ? ambient->depends_on_time() : value->depends_on_time();
}

double
HeatBoundaryCondition::heat_transfer_coefficient(const dealii::Point<3> &point) const
{
  const double h = value->value(point);
  if (!(h >= 0))
  {
    std::ostringstream message;
    message << "the heat transfer coefficient h must be non-negative [W/(m^2 K)], found "
            << h << " at (" << point << ")";
    throw_input_error(where, message.str());
  }
  return h;
}

std::vector<std::string> split_top_level_commas(const std::string &text)
{
  std::vector<std::string> pieces(1);
  int depth = 0;
  for (const char c : text)
  {
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    if (c == ',' && depth == 0)
      pieces.emplace_back();
    else
      pieces.back() += c;
  }
  for (auto &piece : pieces)
    piece = trim(piece);
  return pieces;
}

std::map<dealii::types::boundary_id, HeatBoundaryCondition>
parse_heat_boundary_conditions(
    const std::string &text, const std::string &where,
    const std::map<std::string, dealii::types::boundary_id> &names,
    const std::set<dealii::types::boundary_id> &ids_in_mesh,
    const std::map<std::string, double> &constants)
{
  std::map<dealii::types::boundary_id, HeatBoundaryCondition> conditions;
  for (const auto &entry : parse_key_value_list(text, where))
  {
    const dealii::types::boundary_id id =
        resolve_boundary(entry.first, names, ids_in_mesh, where);
    if (conditions.count(id))
      throw_input_error(where, "boundary '" + entry.first + "' is given twice");

    const std::string &specification = entry.second;
    HeatBoundaryCondition condition{HeatBoundaryCondition::Type::heat_flux, {}, {}, ""};
    // The values after the keyword: `count` expressions separated by top-level commas.
    auto values_after =
        [&](const std::string &keyword, unsigned int count, const std::string &form)
    {
      condition.where = where + " (boundary '" + entry.first + "', " + keyword + ")";
      const auto pieces = split_top_level_commas(specification.substr(keyword.size()));
      if (pieces.size() != count || pieces.back().empty())
        throw_input_error(condition.where, "expected '" + form +
                                               "' (numbers or expressions in x, y, z, "
                                               "t), found '" +
                                               specification + "'");
      std::vector<std::shared_ptr<const ParsedFunction>> functions;
      for (const auto &piece : pieces)
        functions.push_back(
            std::make_shared<const ParsedFunction>(piece, condition.where, constants));
      return functions;
    };
    if (specification.compare(0, 17, "fixed temperature") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::fixed_temperature;
      condition.value =
          values_after("fixed temperature", 1, "fixed temperature T [deg C]")[0];
    }
    else if (specification.compare(0, 9, "heat flux") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::heat_flux;
      condition.value = values_after("heat flux", 1, "heat flux q [W/m^2]")[0];
    }
    else if (specification.compare(0, 10, "convective") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::convective;
      const auto values =
          values_after("convective", 2, "convective h [W/(m^2 K)], T_inf [deg C]");
      condition.value = values[0];
      condition.ambient = values[1];
      if (condition.value->depends_on_time())
        throw_input_error(condition.where,
                          "the heat transfer coefficient h = '" +
                              condition.value->expression() +
                              "' depends on t; h enters the matrix, which is assembled "
                              "once: it may vary in x, y, z but not in time (T_inf may)");
      if (condition.value->is_constant())
        condition.heat_transfer_coefficient(dealii::Point<3>());
    }
    else
      throw_input_error(where, "unknown condition '" + specification + "' on boundary '" +
                                   entry.first +
                                   "'; expected 'fixed temperature T', 'heat flux q' or "
                                   "'convective h, T_inf'");
    conditions[id] = condition;
  }
  return conditions;
}

void interpolate_fixed_temperatures(
    const std::map<dealii::types::boundary_id, HeatBoundaryCondition> &conditions,
    const dealii::Mapping<3, 3> &mapping, const dealii::DoFHandler<3, 3> &dof_handler,
    double time, std::map<dealii::types::global_dof_index, double> &values)
{
  std::map<dealii::types::boundary_id, const ParsedFunction *> functions;
  for (const auto &condition : conditions)
    if (condition.second.type == HeatBoundaryCondition::Type::fixed_temperature)
      functions[condition.first] = condition.second.value.get();
  interpolate_boundary_expressions(functions, mapping, dof_handler, time, values);
}
} // namespace ferrotherm
