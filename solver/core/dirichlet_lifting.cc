// DirichletLifting: lifting of time-dependent Dirichlet data (see dirichlet_lifting.h).
#include "core/dirichlet_lifting.h"

#include "core/parsed_function_at_time.h"

#include <deal.II/base/function.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/vector_tools.h>

#include <memory>

namespace ferrotherm
{
void make_dirichlet_constraints(
    const std::map<dealii::types::global_dof_index, double> &values,
    const ScalarSpace &space, bool homogeneous,
    dealii::AffineConstraints<double> &constraints,
    std::vector<dealii::types::global_dof_index> *owned_rows)
{
  constraints.clear();
  constraints.reinit(space.locally_relevant);
  constraints.merge(space.hanging_node_constraints);
  if (owned_rows != nullptr)
    owned_rows->clear();
  for (const auto &value : values)
  {
    if (space.hanging_node_constraints.is_constrained(value.first))
      continue;
    constraints.add_line(value.first);
    if (!homogeneous)
      constraints.set_inhomogeneity(value.first, value.second);
    if (owned_rows != nullptr && space.locally_owned.is_element(value.first))
      owned_rows->push_back(value.first);
  }
  constraints.close();
}

void interpolate_boundary_expressions(
    const std::map<dealii::types::boundary_id, const ParsedFunction *> &functions,
    const dealii::Mapping<3, 3> &mapping, const dealii::DoFHandler<3, 3> &dof_handler,
    double time, std::map<dealii::types::global_dof_index, double> &values)
{
  values.clear();
  if (functions.empty())
    return;
  std::vector<std::unique_ptr<ParsedFunctionAtTime>> adapters;
  std::map<dealii::types::boundary_id, const dealii::Function<3> *> function_map;
  for (const auto &function : functions)
  {
    adapters.push_back(std::make_unique<ParsedFunctionAtTime>(*function.second, time));
    function_map[function.first] = adapters.back().get();
  }
  dealii::VectorTools::interpolate_boundary_values(mapping, dof_handler, function_map,
                                                   values);
}

void DirichletLifting::reinit(const std::map<Index, double> &dirichlet,
                              const dealii::AffineConstraints<double> &hanging)
{
  cells.clear();
  influenced.clear();
  for (const auto &value : dirichlet)
    influenced.insert(value.first);
  for (const auto &line : hanging.get_lines())
    for (const auto &entry : line.entries)
      if (dirichlet.count(entry.first))
        influenced.insert(line.index);
}

void DirichletLifting::add_cell(const std::vector<Index> &indices,
                                const dealii::FullMatrix<double> &mass,
                                const dealii::FullMatrix<double> &stiffness)
{
  for (const Index index : indices)
    if (influenced.count(index))
    {
      cells.push_back(Cell{indices, mass, stiffness});
      return;
    }
}

void DirichletLifting::add_lifting(
    const dealii::AffineConstraints<double> &constraints, double mass_factor,
    const FieldVector *mass_history,
    const dealii::AffineConstraints<double> &zero_constraints, LA::MPI::Vector &rhs) const
{
  std::vector<double> stiffness_values, mass_values;
  dealii::Vector<double> cell_rhs;
  for (const Cell &cell : cells)
  {
    const unsigned int n = cell.indices.size();
    stiffness_values.assign(n, 0.0);
    mass_values.assign(n, 0.0);
    bool any = false;
    for (unsigned int j = 0; j < n; ++j)
    {
      const Index index = cell.indices[j];
      if (!constraints.is_constrained(index))
        continue;
      const double g = constraints.get_inhomogeneity(index);
      double history = 0;
      if (mass_history != nullptr)
      {
        // The history's own inhomogeneity: its value less the constraint's entries.
        history = (*mass_history)(index);
        for (const auto &entry : *constraints.get_constraint_entries(index))
          history -= entry.second * (*mass_history)(entry.first);
      }
      stiffness_values[j] = g;
      mass_values[j] = mass_factor * g + history;
      any |= stiffness_values[j] != 0 || mass_values[j] != 0;
    }
    if (!any)
      continue;
    cell_rhs.reinit(n);
    for (unsigned int i = 0; i < n; ++i)
      for (unsigned int j = 0; j < n; ++j)
        cell_rhs(i) -=
            cell.stiffness(i, j) * stiffness_values[j] + cell.mass(i, j) * mass_values[j];
    zero_constraints.distribute_local_to_global(cell_rhs, cell.indices, rhs);
  }
  rhs.compress(dealii::VectorOperation::add);
}

double DirichletLifting::row_sum(const std::map<Index, double> &rows,
                                 const FieldVector &m, const FieldVector &s) const
{
  double sum = 0;
  for (const Cell &cell : cells)
  {
    const unsigned int n = cell.indices.size();
    for (unsigned int i = 0; i < n; ++i)
    {
      if (rows.count(cell.indices[i]) == 0)
        continue;
      for (unsigned int j = 0; j < n; ++j)
        sum += cell.mass(i, j) * m(cell.indices[j]) +
               cell.stiffness(i, j) * s(cell.indices[j]);
    }
  }
  return sum;
}
} // namespace ferrotherm
