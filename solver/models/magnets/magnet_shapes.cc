// Permanent-magnet shapes (remanence B_r along `Direction`, centred at `Position`):
//  - "cylinder": radius R, length L, axial magnetisation. Its field is that of the
//    equivalent surface current K = B_r/mu0 on the mantle: the closed-form loop field
//    (biot_savart.h) integrated over the length with Gauss-Legendre panels, more panels
//    closer to the magnet. On the axis it reproduces B_z =
//    (B_r/2)[(z+L)/sqrt(R^2+(z+L)^2)
//    - z/sqrt(R^2+z^2)] (z from the face);
//  - "cuboid": sides 2a x 2b x 2c, magnetised along c; closed form from the magnetic
//  surface
//    charges +-M on the two end faces (Furlani 2001, Permanent Magnet and
//    Electromechanical Devices, sec. 4.3):  H = (M/4pi) sum_faces s_face sum_k,m s_k s_m
//    (ln(y_m - y + R), ln(x_k - x + R), atan((x_k - x)(y_m - y)/((z - z0) R)));
//  - "dipole": a point dipole of volume V, m = B_r V / mu0;
//  - "uniform gradient": B = (B0 + G (x - x0).n) n, for verification (not
//  divergence-free).
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/coils/biot_savart.h"
#include "models/magnets/static_magnet.h"

#include <deal.II/base/quadrature_lib.h>

#include <cmath>
#include <limits>

namespace ferrotherm
{
namespace
{
using dealii::Point;
using dealii::Tensor;

double positive_entry(dealii::ParameterHandler &prm, const std::string &entry,
                      const std::string &where)
{
  const double value = parse_double(prm.get(entry), where + entry);
  if (!(value > 0))
    throw_input_error(where + entry, "must be positive, found " + prm.get(entry));
  return value;
}

class CylinderMagnet : public StaticMagnet
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Cylinder");
    prm.declare_entry("Radius", "0.01", dealii::Patterns::Anything(), "[m]");
    prm.declare_entry("Length", "0.02", dealii::Patterns::Anything(),
                      "Along the axis [m].");
    prm.leave_subsection();
  }

  Tensor<1, 3> flux_density(const Point<3> &p) const override
  {
    const Point<3> local = to_local(p);
    const double distance = std::max(distance_to_magnet(p), 0.05 * radius);
    const unsigned int panels = static_cast<unsigned int>(
        std::min(256.0, std::max(2.0, std::ceil(2 * length / distance))));
    const dealii::QGauss<1> gauss(6);
    const double sheet_current = remanence / vacuum_permeability; // K [A/m]
    const Tensor<1, 3> z_axis({0, 0, 1});
    Tensor<1, 3> b;
    for (unsigned int panel = 0; panel < panels; ++panel)
      for (unsigned int q = 0; q < gauss.size(); ++q)
      {
        const double z = -length / 2 + (panel + gauss.point(q)[0]) * length / panels;
        const double weight = gauss.weight(q) * length / panels;
        b += circular_loop_field(Point<3>(0, 0, z), z_axis, radius,
                                 sheet_current * weight, local)
                 .b;
      }
    return to_global(b);
  }

  double distance_to_magnet(const Point<3> &p) const override
  {
    const Point<3> local = to_local(p);
    const double rho = std::sqrt(local[0] * local[0] + local[1] * local[1]);
    const double dz = std::abs(local[2]) - length / 2, dr = rho - radius;
    if (dz <= 0 && dr <= 0)
      return std::max(dz, dr);
    return std::sqrt(std::max(dz, 0.0) * std::max(dz, 0.0) +
                     std::max(dr, 0.0) * std::max(dr, 0.0));
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const std::string &section) override
  {
    prm.enter_subsection("Cylinder");
    radius = positive_entry(prm, "Radius", section + "Cylinder/");
    length = positive_entry(prm, "Length", section + "Cylinder/");
    prm.leave_subsection();
  }

private:
  double radius = 0.01, length = 0.02;
};

class CuboidMagnet : public StaticMagnet
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Cuboid");
    prm.declare_entry("Size", "0.02, 0.02, 0.01", dealii::Patterns::Anything(),
                      "Edge lengths across, across and along the magnetisation [m].");
    prm.leave_subsection();
  }

  Tensor<1, 3> flux_density(const Point<3> &p) const override
  {
    const Point<3> x = to_local(p);
    Tensor<1, 3> h;
    for (const double face : {-1.0, 1.0})
    {
      const double z0 = face * half[2], dz = x[2] - z0;
      for (const double sk : {-1.0, 1.0})
        for (const double sm : {-1.0, 1.0})
        {
          const double u = sk * half[0] - x[0], v = sm * half[1] - x[1];
          const double r = std::sqrt(u * u + v * v + dz * dz);
          const double sign = face * sk * sm;
          h[0] += sign * log_sum(v, r, u * u + dz * dz);
          h[1] += sign * log_sum(u, r, v * v + dz * dz);
          h[2] += sign * (dz == 0 ? 0.0 : std::atan(u * v / (dz * r)));
        }
    }
    return to_global(remanence / (4 * M_PI) * h);
  }

  double distance_to_magnet(const Point<3> &p) const override
  {
    const Point<3> x = to_local(p);
    double outside = 0, inside = -std::numeric_limits<double>::infinity();
    for (unsigned int d = 0; d < 3; ++d)
    {
      const double excess = std::abs(x[d]) - half[d];
      outside += std::max(excess, 0.0) * std::max(excess, 0.0);
      inside = std::max(inside, excess);
    }
    return inside <= 0 ? inside : std::sqrt(outside);
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const std::string &section) override
  {
    prm.enter_subsection("Cuboid");
    const auto size = parse_double_list(prm.get("Size"), section + "Cuboid/Size", 3);
    prm.leave_subsection();
    for (unsigned int d = 0; d < 3; ++d)
    {
      if (!(size[d] > 0))
        throw_input_error(section + "Cuboid/Size", "edge lengths must be positive");
      half[d] = size[d] / 2;
    }
  }

private:
  double half[3] = {0.01, 0.01, 0.005};

  // ln(w + r) with r = sqrt(w^2 + a), evaluated stably for w < 0 as ln(a / (r - w)).
  static double log_sum(double w, double r, double a)
  {
    if (w >= 0)
      return std::log(w + r);
    return a > 0 ? std::log(a / (r - w)) : 0.0;
  }
};

class DipoleMagnet : public StaticMagnet
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Dipole");
    prm.declare_entry("Volume", "1e-6", dealii::Patterns::Anything(),
                      "Magnet volume V [m^3]; moment m = B_r V / mu0.");
    prm.leave_subsection();
  }

  Tensor<1, 3> flux_density(const Point<3> &p) const override
  {
    const Tensor<1, 3> r = p - position;
    const double distance = r.norm();
    const Tensor<1, 3> unit = r / distance;
    const Tensor<1, 3> m = remanence * volume / vacuum_permeability * direction;
    return vacuum_permeability / (4 * M_PI * distance * distance * distance) *
           (3 * (m * unit) * unit - m);
  }

  double distance_to_magnet(const Point<3> &p) const override
  {
    return p.distance(position);
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const std::string &section) override
  {
    prm.enter_subsection("Dipole");
    volume = positive_entry(prm, "Volume", section + "Dipole/");
    prm.leave_subsection();
  }

private:
  double volume = 1e-6;
};

class UniformGradientMagnet : public StaticMagnet
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Uniform gradient");
    prm.declare_entry("Field", "0.3", dealii::Patterns::Anything(),
                      "B0 at Position [T], |B0| <= 20.");
    prm.declare_entry("Gradient", "10", dealii::Patterns::Anything(),
                      "d|B|/ds along Direction [T/m], at most 1e5 in magnitude.");
    prm.leave_subsection();
  }

  Tensor<1, 3> flux_density(const Point<3> &p) const override
  {
    return (field + gradient * ((p - position) * direction)) * direction;
  }

  double distance_to_magnet(const Point<3> &) const override
  {
    return std::numeric_limits<double>::infinity();
  }

protected:
  void parse_geometry(dealii::ParameterHandler &prm, const std::string &section) override
  {
    prm.enter_subsection("Uniform gradient");
    field = parse_double(prm.get("Field"), section + "Uniform gradient/Field");
    gradient = parse_double(prm.get("Gradient"), section + "Uniform gradient/Gradient");
    check_magnitude(field, 20, section + "Uniform gradient/Field", "T");
    check_magnitude(gradient, 1e5, section + "Uniform gradient/Gradient", "T/m");
    prm.leave_subsection();
  }

private:
  double field = 0.3, gradient = 10;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(StaticMagnet, CylinderMagnet, "cylinder",
                           "an axially magnetised cylinder (field on and off the axis)")
FERROTHERM_REGISTER_PLUGIN(StaticMagnet, CuboidMagnet, "cuboid",
                           "a rectangular block magnetised along an edge (closed form)")
FERROTHERM_REGISTER_PLUGIN(StaticMagnet, DipoleMagnet, "dipole", "a point dipole")
FERROTHERM_REGISTER_PLUGIN(StaticMagnet, UniformGradientMagnet, "uniform gradient",
                           "a field of constant magnitude gradient (verification)")
} // namespace ferrotherm
