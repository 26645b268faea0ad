// StaticMagnet: the plugin family of permanent magnets for magnetic targeting
// (Magnet/Magnet k/Model). A magnet gives its flux density B(x) [T] in free space (tissue
// is non-magnetic); the magnetophoretic force needs |H| and grad |H|, which
// magnetic_gradient() takes by central differences of B. Several magnets superpose.
#pragma once

#include "core/plugin_registry.h"
#include "core/run_context.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

namespace ferrotherm
{
class StaticMagnet
{
public:
  virtual ~StaticMagnet() = default;
  static void declare_parameters(dealii::ParameterHandler &prm);

  // Reads "Position", "Direction", "Remanence" and the plugin's entries.
  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context,
                        const std::string &section);

  virtual dealii::Tensor<1, 3> flux_density(const dealii::Point<3> &p) const = 0;

  // Distance from p to the magnet body (negative inside); infinite for ideal fields.
  virtual double distance_to_magnet(const dealii::Point<3> &p) const = 0;

protected:
  virtual void parse_geometry(dealii::ParameterHandler &prm,
                              const std::string &section) = 0;

  dealii::Point<3> position;      // centre of the magnet
  dealii::Tensor<1, 3> direction; // magnetisation direction (unit)
  dealii::Tensor<1, 3> e1, e2;    // complete `direction` to a right-handed frame
  double remanence = 1.2;         // B_r = mu0 M [T]
  dealii::Point<3> to_local(const dealii::Point<3> &p) const;
  dealii::Tensor<1, 3> to_global(const dealii::Tensor<1, 3> &local) const;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(StaticMagnet)

// |B| and grad |B| at p of a superposition of magnets (central differences, step h).
void magnetic_gradient(const std::vector<const StaticMagnet *> &magnets,
                       const dealii::Point<3> &p, double step, double &magnitude,
                       dealii::Tensor<1, 3> &gradient);
} // namespace ferrotherm
