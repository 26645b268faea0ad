// TissueDatabase: the tissue property table (CSV), one row per tissue with its mesh
// label. Columns (header names, SI units):
//   name, label, thermal_conductivity [W/(m K)], density [kg/m3], specific_heat [J/(kg
//   K)], perfusion_rate [1/s] (volumetric blood flow per tissue volume, w_b in Pennes),
//   metabolic_heat [W/kg], perfusion_model (a Perfusion plugin name),
//   arrhenius_A [1/s], arrhenius_Ea [J/mol],
//   electric_conductivity [S/m], relative_permittivity [1]
// The last two are numbers or `gabriel:<tissue>`, evaluated from the Gabriel et al.
// (1996) Cole-Cole parameters at the AMF frequency (again at each session's frequency,
// set_frequency). Every value is checked (finite, the
// sign physics requires, and a plausible range with its unit, core/range_check.h) and
// errors name file, line and column.
#pragma once

#include "core/cole_cole_dielectric.h"

#include <map>
#include <string>
#include <vector>

namespace ferrotherm
{
struct Tissue
{
  std::string name;
  unsigned int label;
  double thermal_conductivity;
  double density;
  double specific_heat;
  double perfusion_rate;
  double metabolic_heat;
  std::string perfusion_model;
  double arrhenius_A;
  double arrhenius_Ea;
  double electric_conductivity;
  double relative_permittivity;
  // The Gabriel tissues the last two come from (empty: a number of the table).
  std::string conductivity_source, permittivity_source;
  std::string origin; // "file:line", for messages
};

class TissueDatabase
{
public:
  // Reads `file`; `gabriel:` references are looked up in `cole_cole_file` at `frequency`.
  static TissueDatabase read(const std::string &file, const std::string &cole_cole_file,
                             double frequency);

  // Evaluates the `gabriel:` properties at another frequency [Hz] (in place: pointers to
  // the tissues stay valid).
  void set_frequency(double frequency);

  // Applies "tumour: perfusion_rate=0.01, metabolic_heat=0; muscle: density=1050".
  void apply_overrides(const std::string &overrides, const std::string &where);

  const std::vector<Tissue> &all() const { return tissues; }
  const Tissue *find_label(unsigned int label) const;
  const Tissue *find_name(const std::string &name) const;

private:
  std::vector<Tissue> tissues;
  std::map<std::string, ColeColeParameters> cole_cole;
  void check(const Tissue &tissue) const;
  void evaluate_dielectrics(Tissue &tissue, double frequency) const;
};
} // namespace ferrotherm
