// Parsing of heat boundary conditions (see heat_boundary_conditions.h).
#include "physics/heat/heat_boundary_conditions.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

namespace ferrotherm
{
std::map<dealii::types::boundary_id, HeatBoundaryCondition>
parse_heat_boundary_conditions(
    const std::string &text, const std::string &where,
    const std::map<std::string, dealii::types::boundary_id> &names,
    const std::set<dealii::types::boundary_id> &ids_in_mesh)
{
  auto available = [&]()
  {
    std::string list;
    for (const auto &name : names)
      list += (list.empty() ? "" : ", ") + name.first + " (" +
              std::to_string(name.second) + ")";
    for (const auto id : ids_in_mesh)
    {
      bool named = false;
      for (const auto &name : names)
        named |= name.second == id;
      if (!named)
        list += (list.empty() ? "" : ", ") + std::to_string(id);
    }
    return list;
  };

  std::map<dealii::types::boundary_id, HeatBoundaryCondition> conditions;
  for (const auto &entry : parse_key_value_list(text, where))
  {
    dealii::types::boundary_id id;
    const auto named = names.find(entry.first);
    if (named != names.end())
      id = named->second;
    else
    {
      const bool numeric =
          entry.first.find_first_not_of("0123456789") == std::string::npos &&
          entry.first.size() < 4;
      if (!numeric)
        throw_input_error(where, "the mesh has no boundary '" + entry.first +
                                     "'; available: " + available());
      id = static_cast<dealii::types::boundary_id>(std::stoi(entry.first));
    }
    if (ids_in_mesh.count(id) == 0)
      throw_input_error(where, "the mesh has no boundary '" + entry.first +
                                   "'; available: " + available());
    if (conditions.count(id))
      throw_input_error(where, "boundary '" + entry.first + "' is given twice");

    const std::string &specification = entry.second;
    HeatBoundaryCondition condition{HeatBoundaryCondition::Type::heat_flux, 0, 0};
    auto values_after = [&](const std::string &keyword, unsigned int count)
    {
      return parse_double_list(
          specification.substr(keyword.size()),
          where + " (boundary '" + entry.first + "', " + keyword + ")", count);
    };
    if (specification.compare(0, 17, "fixed temperature") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::fixed_temperature;
      condition.value = values_after("fixed temperature", 1)[0];
    }
    else if (specification.compare(0, 9, "heat flux") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::heat_flux;
      condition.value = values_after("heat flux", 1)[0];
    }
    else if (specification.compare(0, 10, "convective") == 0)
    {
      condition.type = HeatBoundaryCondition::Type::convective;
      const auto values = values_after("convective", 2);
      condition.value = values[0];
      condition.ambient = values[1];
      if (!(condition.value >= 0))
        throw_input_error(where, "the heat transfer coefficient of boundary '" +
                                     entry.first + "' must be non-negative");
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
} // namespace ferrotherm
