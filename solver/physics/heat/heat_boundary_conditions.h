// Boundary conditions of the Pennes equation, per boundary (name or id):
//   fixed temperature T_b        : T = T_b                         (Dirichlet)
//   heat flux q                  : k dT/dn = q   (q > 0 heats)    (Neumann)
//   convective h, T_inf          : -k dT/dn = h (T - T_inf)        (Robin, e.g. a water
//   bolus)
// Written "x_min: fixed temperature 37; outer: convective 50, 20; x_max: heat flux 0".
// Boundaries not listed are insulated (q = 0).
#pragma once

#include <deal.II/base/types.h>

#include <map>
#include <set>
#include <string>

namespace ferrotherm
{
struct HeatBoundaryCondition
{
  enum class Type
  {
    fixed_temperature,
    heat_flux,
    convective
  };
  Type type;
  double value;   // T_b [deg C], q [W/m^2] or h [W/(m^2 K)]
  double ambient; // T_inf [deg C] for convective
};

// `names`: boundary names of the mesh; `ids_in_mesh`: the ids present. Errors name the
// parameter and list what is available.
std::map<dealii::types::boundary_id, HeatBoundaryCondition>
parse_heat_boundary_conditions(
    const std::string &text, const std::string &where,
    const std::map<std::string, dealii::types::boundary_id> &names,
    const std::set<dealii::types::boundary_id> &ids_in_mesh);
} // namespace ferrotherm
