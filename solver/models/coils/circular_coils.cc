// Coils made of coaxial circular loops (closed-form fields with elliptic integrals):
//  - "loop": one loop of N turns;
//  - "loop pair": two loops a distance d apart, currents equal (Helmholtz pair for
//    d = R: the most uniform field) or opposed (Maxwell gradient pair for d = sqrt(3) R);
//  - "solenoid": N turns spread evenly over a length L (each turn a loop).
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"

namespace ferrotherm
{
namespace
{
double positive(dealii::ParameterHandler &prm, const std::string &entry,
                const std::string &where)
{
  const double value = parse_double(prm.get(entry), where + entry);
  if (!(value > 0))
    throw_input_error(where + entry, "must be positive, found " + prm.get(entry));
  check_range(value, 0, 10, where + entry, "m", LowerBound::exclusive);
  return value;
}

class LoopCoil : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Loop");
    prm.declare_entry("Radius", "0.1", dealii::Patterns::Anything(), "Loop radius [m].");
    prm.declare_entry("Turns", "1", dealii::Patterns::Integer(1, 10000),
                      "Turns (co-located), 1-10000.");
    prm.leave_subsection();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Loop");
    add_loop(0, positive(prm, "Radius", "Electromagnetics/Coil/Loop/"),
             prm.get_integer("Turns"));
    prm.leave_subsection();
  }
};

class LoopPairCoil : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Loop pair");
    prm.declare_entry("Radius", "0.1", dealii::Patterns::Anything(),
                      "Loop radius R [m].");
    prm.declare_entry("Separation", "0.1", dealii::Patterns::Anything(),
                      "Distance d between the loops [m] (d = R: Helmholtz pair).");
    prm.declare_entry("Turns", "1", dealii::Patterns::Integer(1, 10000),
                      "Turns per loop, 1-10000.");
    prm.declare_entry("Opposed currents", "false", dealii::Patterns::Bool(),
                      "Opposite currents (gradient coil; d = sqrt(3) R: Maxwell pair).");
    prm.leave_subsection();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string where = "Electromagnetics/Coil/Loop pair/";
    prm.enter_subsection("Loop pair");
    const double radius = positive(prm, "Radius", where);
    const double separation = positive(prm, "Separation", where);
    const double turns = prm.get_integer("Turns");
    const bool opposed = prm.get_bool("Opposed currents");
    prm.leave_subsection();
    add_loop(-separation / 2, radius, turns);
    add_loop(separation / 2, radius, opposed ? -turns : turns);
  }
};

class SolenoidCoil : public Coil
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Solenoid");
    prm.declare_entry("Radius", "0.1", dealii::Patterns::Anything(),
                      "Winding radius [m].");
    prm.declare_entry("Length", "0.2", dealii::Patterns::Anything(),
                      "Winding length [m].");
    prm.declare_entry("Turns", "10", dealii::Patterns::Integer(1, 10000),
                      "Number of turns, 1-10000.");
    prm.leave_subsection();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const RunContext &) override
  {
    const std::string where = "Electromagnetics/Coil/Solenoid/";
    prm.enter_subsection("Solenoid");
    const double radius = positive(prm, "Radius", where);
    const double length = positive(prm, "Length", where);
    const unsigned int turns = prm.get_integer("Turns");
    prm.leave_subsection();
    for (unsigned int k = 0; k < turns; ++k)
      add_loop(-length / 2 + (k + 0.5) * length / turns, radius, 1);
  }
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Coil, LoopCoil, "loop", "a circular loop of N turns")
FERROTHERM_REGISTER_PLUGIN(
    Coil, LoopPairCoil, "loop pair",
    "two coaxial loops (Helmholtz pair, or opposed: Maxwell gradient pair)")
FERROTHERM_REGISTER_PLUGIN(Coil, SolenoidCoil, "solenoid", "N turns evenly over a length")
} // namespace ferrotherm
