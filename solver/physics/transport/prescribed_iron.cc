// PrescribedIron: a fixed iron distribution c_Fe [kg Fe/m^3 = mg Fe/mL], given per
// tissue label (e.g. the tumour holds the injected dose) plus an expression in x, y, z,
// plus an iron map from a CT image (ct_iron_map.h).
#include "core/input_error.h"
#include "core/label_map.h"
#include "core/parsed_function.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "physics/transport/ct_iron_map.h"
#include "physics/transport/iron_model.h"

#include <deal.II/fe/fe_values.h>

#include <algorithm>

namespace ferrotherm
{
namespace
{
class PrescribedIron : public IronModel, public Field
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Prescribed");
    prm.declare_entry(
        "Iron by label", "", dealii::Patterns::Anything(),
        "Iron concentration per tissue label [kg/m^3 = mg/mL], in [0, 1e3], e.g. '2: "
        "10'.");
    prm.declare_entry(
        "Iron function", "0", dealii::Patterns::Anything(),
        "Additional iron concentration [kg/m^3] as an expression in x, y, z (a number "
        "must lie in [0, 1e3]).");
    CtIronMap::declare_parameters(prm, "Additional iron");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    const std::string where = "Transport/Prescribed/Iron by label";
    prm.enter_subsection("Prescribed");
    by_label.clear();
    for (const auto &entry : parse_key_value_list(prm.get("Iron by label"), where))
    {
      const unsigned int label = parse_unsigned(entry.first, where);
      if (label > max_tissue_label)
        throw_input_error(where, "labels must be integers between 0 and " +
                                     std::to_string(max_tissue_label));
      by_label[label] = parse_double(entry.second, where);
      check_range(by_label[label], 0, 1e3, where + " (label " + entry.first + ")",
                  "kg/m^3");
      labels.push_back(label);
    }
    function = std::make_unique<ParsedFunction>(prm.get("Iron function"),
                                                "Transport/Prescribed/Iron function",
                                                context.function_constants);
    ct_iron.parse_parameters(prm, context, "Transport/Prescribed/");
    prm.leave_subsection();
    if (function->is_constant())
      check_range(function->value(dealii::Point<3>()), 0, 1e3,
                  "Transport/Prescribed/Iron function", "kg/m^3");
  }

  void initialize(Simulator &sim) override
  {
    for (const unsigned int label : labels)
      if (sim.labels_in_mesh().count(label) == 0)
        throw_input_error("Transport/Prescribed/Iron by label",
                          "the mesh has no label " + std::to_string(label));
    sim.fields().add("iron", "kg/m^3", "total iron concentration", "Transport", this);
  }

  void advance(double, double) override {}

  void evaluate(const dealii::FEValues<3> &fe_values,
                std::vector<double> &values) const override
  {
    const double base = by_label[fe_values.get_cell()->material_id()];
    const bool constant_zero =
        function->is_constant() && function->value(dealii::Point<3>()) == 0;
    for (unsigned int q = 0; q < values.size(); ++q)
    {
      values[q] =
          base + (constant_zero ? 0.0 : function->value(fe_values.quadrature_point(q)));
      values[q] += ct_iron.value(fe_values.quadrature_point(q));
      if (values[q] < 0)
        throw_input_error("Transport/Prescribed/Iron function",
                          "negative iron concentration");
    }
  }

  unsigned int version() const override { return 0; }

private:
  LabelMap<double> by_label;
  std::vector<unsigned int> labels;
  std::unique_ptr<ParsedFunction> function;
  CtIronMap ct_iron;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(IronModel, PrescribedIron, "prescribed",
                           "a fixed iron map per tissue label and/or expression")
} // namespace ferrotherm
