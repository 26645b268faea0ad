// MeshAdaptivity: where the mesh is refined and coarsened during a run (section
// `Adaptivity`). The indicator of a cell K is the weighted sum over the chosen fields f
// of the Kelly estimate (Kelly et al. 1983, Int J Numer Meth Eng 19:1593: the jump of
// the normal gradient across the faces, eta_K^2 = h_K/24 sum_F int_F [dU/dn]^2), each
// normalised by its largest value, so that a weight says how much a field counts
// whatever its unit:
//   eta_K = sum_f w_f eta_K(f) / max_K' eta_K'(f).
// The cells with the largest indicators (a fixed fraction of the cells) are refined and
// those with the smallest coarsened (parallel::distributed::GridRefinement, keeping
// the cell count below `Maximum cells`), between the initial level and `Maximum
// level`; cells at a tissue interface are never coarsened, so the interfaces (and the
// coefficient jumps on them) stay resolved as the mesh generator made them.
#pragma once

#include <deal.II/base/parameter_handler.h>
#include <deal.II/distributed/tria.h>

#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
class FieldRegistry;
class ScalarSpace;

class MeshAdaptivity
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  // prm at the top level.
  void parse_parameters(dealii::ParameterHandler &prm);
  // Every named field exists and has nodal values (after the modules' initialisation).
  void check_fields(const FieldRegistry &fields) const;

  bool enabled() const { return active; }
  // Refinement cycles of a steady run (solve, adapt, ..., solve).
  unsigned int steady_cycles() const { return cycles; }
  // Transient runs: whether to adapt after macro step `step` (counted from 1), which
  // ends at an output time if `at_output`.
  bool due(unsigned int step, bool at_output) const
  {
    return active && (interval == 0 ? at_output : step % interval == 0);
  }

  // Sets the refinement and coarsening flags of `triangulation` from the indicators
  // of the fields (their nodal values on `space`); `initial_level` is the level of
  // the mesh before any adaptation (not coarsened below).
  void mark_cells(dealii::parallel::distributed::Triangulation<3> &triangulation,
                  const ScalarSpace &space, const FieldRegistry &fields,
                  unsigned int initial_level) const;

private:
  bool active = false;
  std::vector<std::pair<std::string, double>> field_weights;
  double refine_fraction = 0.3;
  double coarsen_fraction = 0.05;
  unsigned int maximum_cells = 1000000;
  unsigned int maximum_level = 8;
  unsigned int interval = 0; // macro steps between adaptations; 0: at output times
  unsigned int cycles = 3;
};
} // namespace ferrotherm
