// AdvectionDiffusionIron: bolus injections, parsed and checked against the mesh, given
// as a Gaussian depot c = C exp(-|x - x0|^2 / (2 w^2)), w = (V / (2 pi)^1.5)^(1/3), or
// uniformly over a tissue, scaled to the discrete mass C V; warnings for the events
// (injections, magnets, intravenous dose) at or after the End time.
#include "physics/transport/advection_diffusion_iron.h"

#include "core/input_error.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "core/time_value.h"
#include "core/tissue_database.h"

#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/numerics/vector_tools.h>

#include <cctype>
#include <cmath>
#include <sstream>

namespace ferrotherm
{
using namespace dealii;

// Injections, magnet intervals and the intravenous dose at or after the End time never
// happen: said.
void AdvectionDiffusionIron::warn_about_events_after_the_end() const
{
  if (simulator->is_steady())
    return;
  const double end = simulator->schedule().end_time();
  for (const Injection &injection : injections)
    if (injection.time >= end)
    {
      std::ostringstream message;
      message << "Transport/Advection diffusion/Injections: the injection at t = "
              << injection.time << " s comes at or after the End time (" << end
              << " s) and is not given";
      simulator->warnings().warn("injection after the end", message.str());
    }
  if (!magnets.empty())
    for (const auto &interval : magnets.application().list())
      if (interval.first >= end)
      {
        std::ostringstream message;
        message << "Magnet/Applied: the interval " << interval.first << "-"
                << interval.second << " s starts at or after the End time (" << end
                << " s) and is not applied";
        simulator->warnings().warn("magnet applied after the end", message.str());
      }
  if (iv_dose > 0 && iv_time >= end)
  {
    std::ostringstream message;
    message << "Transport/Advection diffusion/Intravenous/Time: the intravenous dose at "
            << "t = " << iv_time << " s comes at or after the End time (" << end
            << " s) and is not given";
    simulator->warnings().warn("injection after the end", message.str());
  }
}

void AdvectionDiffusionIron::parse_injections(const std::string &text,
                                              const std::string &where)
{
  injections.clear();
  for (const auto &entry : parse_key_value_list(text, where))
  {
    const std::string context = where + " (at t = " + entry.first + ")";
    Injection injection;
    injection.time = parse_time(entry.first, where);
    const auto pieces = split(entry.second, ',');
    if (pieces.size() == 3 && !pieces[0].empty() &&
        !(std::isdigit(static_cast<unsigned char>(pieces[0][0])) || pieces[0][0] == '-' ||
          pieces[0][0] == '+' || pieces[0][0] == '.'))
    {
      injection.region = pieces[0];
      injection.volume = parse_double(pieces[1], context);
      injection.concentration = parse_double(pieces[2], context);
    }
    else
    {
      const auto values = parse_double_list(entry.second, context, 5);
      injection.site = Point<3>(values[0], values[1], values[2]);
      injection.volume = values[3];
      injection.concentration = values[4];
    }
    if (injection.time < 0 || !(injection.volume > 0) || !(injection.concentration > 0))
      throw_input_error(where,
                        "an injection needs time >= 0, volume > 0 and concentration > 0");
    check_range(injection.time, 0, 1e8, context + " time", "s");
    check_range(injection.volume, 0, 1e-3, context + " volume", "m^3");
    check_range(injection.concentration, 0, 1e3, context + " concentration", "kg/m^3");
    injections.push_back(injection);
  }
}

// Sites must lie in the mesh; regions must be tissues of the mesh.
void AdvectionDiffusionIron::check_injection_sites()
{
  const auto &tria = simulator->triangulation();
  for (Injection &injection : injections)
  {
    if (!injection.region.empty())
    {
      const Tissue *tissue = simulator->tissue_table().find_name(injection.region);
      if (tissue == nullptr || simulator->labels_in_mesh().count(tissue->label) == 0)
        throw_input_error("Transport/Advection diffusion/Injections",
                          "the injection region '" + injection.region +
                              "' is not a tissue of the mesh");
      injection.region_label = tissue->label;
      continue;
    }
    // A site on a vertex or face belongs to any adjacent cell (tolerance).
    bool inside = false;
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned() && !inside)
      {
        try
        {
          const Point<3> unit = StaticMappingQ1<3>::mapping.transform_real_to_unit_cell(
              cell, injection.site);
          inside = GeometryInfo<3>::is_inside_unit_cell(unit, 1e-8);
        }
        catch (const Mapping<3>::ExcTransformationFailed &)
        {
        }
      }
    if (!Utilities::MPI::logical_or(inside, simulator->mpi_communicator()))
    {
      std::ostringstream site;
      site << injection.site;
      throw_input_error("Transport/Advection diffusion/Injections",
                        "the injection site (" + site.str() + ") lies outside the mesh");
    }
  }
}

bool AdvectionDiffusionIron::injected(const Injection &injection) const
{
  for (const Injection *done : done_injections)
    if (done == &injection)
      return true;
  return false;
}

// Adds a Gaussian depot of the injected volume V and concentration C (peak C, integral
// C V), scaled so the discrete mass is exactly C V.
void AdvectionDiffusionIron::inject(const Injection &injection)
{
  if (injected(injection))
    return;
  done_injections.push_back(&injection);
  const ScalarSpace &space = simulator->scalar_space();
  LA::MPI::Vector depot(space.locally_owned, space.dof_handler.get_communicator());
  const double c = injection.concentration;
  if (injection.region.empty())
  {
    const double width = std::cbrt(injection.volume / std::pow(2 * M_PI, 1.5));
    const Point<3> site = injection.site;
    ScalarFunctionFromFunctionObject<3> gaussian(
        [&](const Point<3> &x)
        { return c * std::exp(-x.distance_square(site) / (2 * width * width)); });
    VectorTools::interpolate(*space.mapping, space.dof_handler, gaussian, depot);
  }
  else
  {
    // Uniform over the nodes whose support lies in the region (w_i = V_i with w_i the
    // integral of phi_i over the region), so no iron starts outside it; a region
    // smaller than a cell falls back to c_i = w_i / V_i. Scaled below to the mass.
    const auto weights = simulator->nodal_weights({injection.region_label});
    bool interior_nodes = false;
    for (const auto &[index, weight] : weights)
      if (weight >= (1 - 1e-10) * node_volume.local_element(index))
      {
        depot[space.locally_owned.nth_index_in_set(index)] = 1;
        interior_nodes = true;
      }
    if (!Utilities::MPI::logical_or(interior_nodes, simulator->mpi_communicator()))
      for (const auto &[index, weight] : weights)
        depot[space.locally_owned.nth_index_in_set(index)] =
            weight / node_volume.local_element(index);
    depot.compress(VectorOperation::insert);
  }
  // Hanging nodes take their constrained values before the mass is measured (else
  // the next solve would change the injected mass).
  space.hanging_node_constraints.distribute(depot);
  FieldVector depot_field = space.make_field_vector();
  copy_owned_values(depot, depot_field);
  double mass = 0;
  for (unsigned int i = 0; i < depot_field.locally_owned_size(); ++i)
    mass += depot_field.local_element(i) * node_volume.local_element(i);
  mass = Utilities::MPI::sum(mass, simulator->mpi_communicator());
  if (!(mass > 0))
    throw std::runtime_error(
        "Transport: the injection at t = " + std::to_string(injection.time) +
        " s is narrower than the mesh; refine it or inject a larger volume");
  depot *= c * injection.volume / mass;
  solution.add(1.0, depot);
  history.start(solution);
  load_cargo(depot, c * injection.volume);
  totals.injected += c * injection.volume;
  totals.mobile = c * injection.volume + totals.mobile;
  old_totals = totals;
  older_totals = totals;
  old_bound_mass = bound_mass;
  older_bound_mass = bound_mass;
  update_mobile();
  update_fields();
}
} // namespace ferrotherm
