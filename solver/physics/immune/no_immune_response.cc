// NoImmuneResponse: the immune layer switched off (Immune/Model = none).
#include "physics/immune/immune_model.h"

namespace ferrotherm
{
namespace
{
class NoImmuneResponse : public ImmuneModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}
  void parse_parameters(dealii::ParameterHandler &, const RunContext &) override {}
  void initialize(Simulator &) override {}
  void advance(double, double) override {}
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ImmuneModel, NoImmuneResponse, "none", "no immune layer")
} // namespace ferrotherm
