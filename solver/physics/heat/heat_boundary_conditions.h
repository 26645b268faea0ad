// Boundary conditions of the Pennes equation, per boundary (name or id):
//   fixed temperature T_b        : T = T_b                         (Dirichlet)
//   heat flux q                  : k dT/dn = q   (q > 0 heats)    (Neumann)
//   convective h, T_inf          : -k dT/dn = h (T - T_inf)        (Robin, e.g. a water
//   bolus)
// Written "x_min: fixed temperature 37; outer: convective 50, 20; x_max: heat flux 0".
// Every value is a number or an expression in x, y, z [m] and t [s] with the
// `Function constants` (e.g. 'fixed temperature 37 + 2*sin(pi*y/0.1)*exp(-t/600)').
// The two values of 'convective' are split at the comma outside parentheses, so
// 'convective 50, min(20, 20 + t/60)' is h = 50, T_inf = min(20, 20 + t/60). The heat
// transfer coefficient h enters the matrix: it may vary in space but not in time.
// Boundaries not listed are insulated (q = 0).
#pragma once

#include "core/dirichlet_lifting.h"
#include "core/parsed_function.h"

#include <deal.II/base/point.h>
#include <deal.II/base/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

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
  std::shared_ptr<const ParsedFunction> value; // T_b [deg C], q [W/m^2] or h [W/(m^2 K)]
  std::shared_ptr<const ParsedFunction> ambient; // T_inf [deg C] for convective
  std::string where;                             // parameter and boundary, for errors

  // True when a right-hand-side datum (T_b, q or T_inf) uses t.
  bool depends_on_time() const;
  // h at a point [W/(m^2 K)], checked to be finite and non-negative.
  double heat_transfer_coefficient(const dealii::Point<3> &point) const;
};

// `names`: boundary names of the mesh; `ids_in_mesh`: the ids present; `constants`: the
// Function constants. Errors name the parameter and list what is available.
std::map<dealii::types::boundary_id, HeatBoundaryCondition>
parse_heat_boundary_conditions(
    const std::string &text, const std::string &where,
    const std::map<std::string, dealii::types::boundary_id> &names,
    const std::set<dealii::types::boundary_id> &ids_in_mesh,
    const std::map<std::string, double> &constants);

// Splits at the commas outside parentheses: "50, min(20, t)" -> {"50", "min(20, t)"}.
std::vector<std::string> split_top_level_commas(const std::string &text);

// Values of the fixed temperatures at time t at the boundary dofs (locally relevant).
void interpolate_fixed_temperatures(
    const std::map<dealii::types::boundary_id, HeatBoundaryCondition> &conditions,
    const dealii::Mapping<3, 3> &mapping, const dealii::DoFHandler<3, 3> &dof_handler,
    double time, std::map<dealii::types::global_dof_index, double> &values);

} // namespace ferrotherm
