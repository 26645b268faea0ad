// Boundary names (see boundary_names.h).
#include "core/boundary_names.h"

#include "core/input_error.h"

namespace ferrotherm
{
dealii::types::boundary_id
resolve_boundary(const std::string &name,
                 const std::map<std::string, dealii::types::boundary_id> &names,
                 const std::set<dealii::types::boundary_id> &ids_in_mesh,
                 const std::string &where)
{
  auto available = [&]()
  {
    std::string list;
    for (const auto &entry : names)
      if (ids_in_mesh.count(entry.second))
        list += (list.empty() ? "" : ", ") + entry.first + " (" +
                std::to_string(entry.second) + ")";
    for (const auto id : ids_in_mesh)
    {
      bool named = false;
      for (const auto &entry : names)
        named |= entry.second == id;
      if (!named)
        list += (list.empty() ? "" : ", ") + std::to_string(id);
    }
    return list;
  };
  const auto named = names.find(name);
  dealii::types::boundary_id id;
  if (named != names.end())
    id = named->second;
  else if (!name.empty() && name.size() < 10 &&
           name.find_first_not_of("0123456789") == std::string::npos)
    id = static_cast<dealii::types::boundary_id>(std::stoul(name));
  else
    throw_input_error(where, "the mesh has no boundary '" + name +
                                 "'; available: " + available());
  if (ids_in_mesh.count(id) == 0)
    throw_input_error(where, "the mesh has no boundary '" + name + "'" +
                                 (named != names.end()
                                      ? " (the name of id " + std::to_string(id) +
                                            " has no boundary faces)"
                                      : std::string()) +
                                 "; available: " + available());
  return id;
}
} // namespace ferrotherm
