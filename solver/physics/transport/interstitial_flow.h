// InterstitialFlow: interstitial fluid pressure and velocity from Darcy's law with a
// Starling source (Baxter & Jain 1989, Microvasc Res 37:77):
//   -div(K grad p) = L (p_e - p),   u = -K grad p,
// with the hydraulic conductivity K [m^2/(Pa s)], the vascular filtration coefficient
// L = L_p S/V [1/(Pa s)] and the effective vascular pressure p_e = p_v - sigma (pi_v -
// pi_i) [Pa] per tissue label, and p = 0 on the outer boundary (far field). For a uniform
// sphere of radius R: p = p_e (1 - R sinh(alpha r/R) / (r sinh alpha)), alpha = R
// sqrt(L/K).
#pragma once

#include "core/linear_algebra.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/tensor.h>

#include <array>
#include <map>
#include <set>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class FEValues;
}

namespace ferrotherm
{
class ScalarSpace;

class InterstitialFlow
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm);
  void parse_parameters(dealii::ParameterHandler &prm);
  bool active() const { return enabled; }

  // Checks that every label of the mesh has parameters.
  void check_labels(const std::set<unsigned int> &labels) const;

  // Solves for the pressure (p = 0 on every boundary).
  void solve(const ScalarSpace &space);

  // -K grad p at the quadrature points of fe_values (a cell of the scalar space).
  void velocity(const dealii::FEValues<3, 3> &fe_values,
                std::vector<dealii::Tensor<1, 3>> &u) const;

  const FieldVector &pressure() const { return pressure_values; }

  // K of a label [m^2/(Pa s)].
  double conductivity(unsigned int label) const
  {
    return by_label.at(label).conductivity;
  }

private:
  struct Coefficients
  {
    double conductivity, filtration, effective_pressure;
  };
  bool enabled = false;
  std::map<unsigned int, Coefficients> by_label;
  FieldVector pressure_values;
  const ScalarSpace *space = nullptr;
};
} // namespace ferrotherm
