// Boundary names: a boundary in the input is written by the name the mesh gives it
// (Gmsh physical surface names, x_min ... of the boxes) or by its numeric id; it must
// carry boundary faces in the mesh. One resolver for every layer's boundary conditions.
#pragma once

#include <deal.II/base/types.h>

#include <map>
#include <set>
#include <string>

namespace ferrotherm
{
// The id of the boundary `name` (a name of `names` or a number), which must be one of
// `ids_in_mesh`; otherwise an InputError at `where` that lists the boundaries available.
dealii::types::boundary_id
resolve_boundary(const std::string &name,
                 const std::map<std::string, dealii::types::boundary_id> &names,
                 const std::set<dealii::types::boundary_id> &ids_in_mesh,
                 const std::string &where);
} // namespace ferrotherm
