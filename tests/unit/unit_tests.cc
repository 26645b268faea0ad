// Unit tests of the closed-form models against reference values:
//   unit_tests <case>   runs one case, exit 0 when every check holds.
// References: Rosensweig 2002 (SLP table), Sapareto & Dewey 1984 (CEM43 rates),
// Henriques & Moritz 1947 (Arrhenius rates), Gabriel et al. 1996 (dielectric values),
// Lang, Erdmann & Seebass 1999 (perfusion values).
#include "core/bdf_history.h"
#include "core/cole_cole_dielectric.h"
#include "core/input_error.h"
#include "core/module_state.h"
#include "core/text_parsing.h"
#include "core/time_intervals.h"
#include "core/time_value.h"
#include "core/treatment_schedule.h"
#include "core/weighted_percentile.h"
#include "models/coils/biot_savart.h"
#include "models/heating/rosensweig_slp.h"
#include "models/magnets/static_magnet.h"
#include "models/perfusion/perfusion_model.h"
#include "physics/heat/thermal_dose.h"
#include "physics/immune/immunotherapy_kinetics.h"
#include "physics/transport/magnetophoresis.h"

#include <deal.II/base/mpi.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <string>

using namespace ferrotherm;

namespace
{
unsigned int failures = 0;

void check_close(const std::string &what, double value, double expected, double relative)
{
  // Relative error; absolute when the expected value is zero.
  const double error =
      std::abs(value - expected) / (expected != 0 ? std::abs(expected) : 1.0);
  const bool ok = error <= relative;
  std::cout << (ok ? "ok     " : "FAILED ") << what << ": " << std::setprecision(10)
            << value << " vs " << expected << " (relative error " << std::setprecision(3)
            << error << ", tolerance " << relative << ")\n";
  failures += !ok;
}

void check(const std::string &what, bool condition)
{
  std::cout << (condition ? "ok     " : "FAILED ") << what << "\n";
  failures += !condition;
}

// Rosensweig (2002) SLP of magnetite at H0 = 10 kA/m, f = 100 kHz, T = 310 K, eta = 1e-3,
// 5 nm shell, K = 9 kJ/m^3 (six significant digits).
void rosensweig_table()
{
  RosensweigParticles particles;
  const double diameters[] = {10e-9, 12e-9, 14e-9, 16e-9, 18e-9};
  const double reference[] = {0.142238, 0.517776, 2.25155, 12.4279, 81.1112}; // W/g Fe3O4
  for (unsigned int k = 0; k < 5; ++k)
  {
    const double slp =
        rosensweig_slp_per_particle_mass(particles, diameters[k], 10e3, 100e3, 310) /
        1000;
    check_close("SLP d = " + std::to_string(diameters[k] * 1e9).substr(0, 4) +
                    " nm [W/g Fe3O4]",
                slp, reference[k], 5e-6);
  }
  particles.core_diameter = 14e-9;
  check_close("per iron mass = per particle mass / 0.7236",
              rosensweig_slp_per_iron_mass(particles, 10e3, 100e3, 310),
              rosensweig_slp_per_particle_mass(particles, 14e-9, 10e3, 100e3, 310) /
                  0.7236,
              1e-12);
}

// Log-normal sizes: the mass average against an independent trapezoidal integral over d
// of the number density times d^3; sigma -> 0 gives the monodisperse value.
void rosensweig_distribution()
{
  RosensweigParticles particles;
  particles.core_diameter = 14e-9;
  particles.size_sigma = 0.2;
  const double h = 8e3, f = 300e3, t = 310.15;
  double numerator = 0, denominator = 0;
  const unsigned int n = 200000;
  const double d_min = 2e-9, d_max = 60e-9, step = (d_max - d_min) / n;
  for (unsigned int k = 0; k <= n; ++k)
  {
    const double d = d_min + k * step;
    const double z = std::log(d / particles.core_diameter) / particles.size_sigma;
    const double density =
        std::exp(-0.5 * z * z) / d; // log-normal number density (unnormalised)
    const double weight = (k == 0 || k == n ? 0.5 : 1.0) * density * d * d * d;
    numerator += weight * rosensweig_slp_per_particle_mass(particles, d, h, f, t);
    denominator += weight;
  }
  check_close("log-normal mass average (sigma 0.2)",
              rosensweig_slp_per_iron_mass(particles, h, f, t) *
                  particles.iron_mass_fraction,
              numerator / denominator, 1e-6);
  particles.size_sigma = 1e-6;
  check_close("sigma -> 0 gives the monodisperse SLP",
              rosensweig_slp_per_iron_mass(particles, h, f, t),
              rosensweig_slp_per_particle_mass(particles, 14e-9, h, f, t) / 0.7236, 1e-6);
}

// Immobilised particles relax by Neel only: compare with the formula written out here.
void rosensweig_immobilised()
{
  RosensweigParticles particles;
  particles.immobilised = true;
  const double d = 16e-9, h = 5e3, f = 200e3, t = 310.15;
  const double mu0 = 4e-7 * M_PI, kT = 1.380649e-23 * t, v = M_PI * d * d * d / 6;
  const double xi = mu0 * 446e3 * v * h / kT;
  const double chi0 =
      mu0 * 446e3 * 446e3 * v / (3 * kT) * 3 / xi * (1 / std::tanh(xi) - 1 / xi);
  const double tau = 1e-9 * std::exp(9e3 * v / kT);
  const double wt = 2 * M_PI * f * tau;
  const double expected = mu0 * M_PI * chi0 * h * h * f * wt / (1 + wt * wt) / 5180;
  check_close("immobilised: Neel relaxation only",
              rosensweig_slp_per_particle_mass(particles, d, h, f, t), expected, 1e-12);
  particles.immobilised = false;
  check("Brownian rotation changes the loss of 16 nm particles",
        std::abs(rosensweig_slp_per_particle_mass(particles, d, h, f, t) - expected) >
            0.01 * expected);
}

// CEM43 rates per minute (Sapareto-Dewey) and 30 min at 44 C = 60 CEM43.
void thermal_dose()
{
  ThermalDose dose;
  const double temperatures[] = {40, 41, 42, 43, 44, 45, 46, 50};
  const double rates[] = {0.015625, 0.0625, 0.25, 1, 2, 4, 8, 128};
  for (unsigned int k = 0; k < 8; ++k)
    check_close("CEM43 rate at " + std::to_string(static_cast<int>(temperatures[k])) +
                    " C",
                dose.cem43_rate(temperatures[k]), rates[k], 1e-12);
  double cem43 = 0;
  for (unsigned int step = 0; step < 180; ++step) // trapezoid, 10 s steps, as in a run
    cem43 += 0.5 * 10.0 / 60.0 * (dose.cem43_rate(44) + dose.cem43_rate(44));
  check_close("30 min at 44 C [CEM43 min]", cem43, 60, 1e-12);
  // References to 7 digits: tolerance 1e-6 relative.
  check_close("Arrhenius liver k(45 C) [1/s]",
              ThermalDose::arrhenius_rate(45, 7.39e39, 2.577e5), 3.608313e-3, 1e-6);
  check_close("Arrhenius Henriques-Moritz k(50 C) [1/s]",
              ThermalDose::arrhenius_rate(50, 3.1e98, 6.28e5), 9.472521e-4, 1e-6);
  check("no damage rate without an Arrhenius prefactor",
        ThermalDose::arrhenius_rate(60, 0, 0) == 0);
}

// Gabriel et al. (1996) Cole-Cole model against their tabulated values (3 digits).
void cole_cole()
{
  const auto table =
      read_cole_cole_table(FERROTHERM_DATA_DIR "/gabriel-cole-cole-parameters.tsv");
  struct Case
  {
    const char *tissue;
    double frequency, sigma, eps;
  };
  const Case cases[] = {{"Muscle", 100e3, 0.362, 8089},
                        {"Muscle", 1e6, 0.503, 1836},
                        {"Liver", 100e3, 0.0846, 7499},
                        {"Fat (Not Infiltrated)", 300e3, 0.0247, 44.1},
                        {"Blood", 100e3, 0.703, 5120},
                        {"Brain (Grey Matter)", 1e6, 0.163, 860},
                        {"Cerebro Spinal Fluid", 100e3, 2.00, 109}};
  for (const Case &c : cases)
  {
    const DielectricProperties p = cole_cole_properties(table.at(c.tissue), c.frequency);
    const std::string label = std::string(c.tissue) + " at " +
                              std::to_string(c.frequency / 1e3).substr(0, 5) + " kHz";
    check_close(label + ": sigma [S/m]", p.conductivity, c.sigma, 0.007);
    check_close(label + ": eps_r", p.relative_permittivity, c.eps, 0.007);
  }
}

// Lang et al. (1999) perfusion laws (mass perfusion) and their slopes.
void lang_perfusion()
{
  const auto &registry = PluginRegistry<PerfusionModel>::instance();
  const double cb = 1; // coefficient = mass perfusion when c_b = 1
  struct Case
  {
    const char *model;
    double temperature, value;
  };
  const Case cases[] = {
      {"lang muscle", 37, 0.467}, {"lang muscle", 40, 0.892}, {"lang muscle", 42, 2.13},
      {"lang muscle", 43, 2.99},  {"lang muscle", 45, 4.0},   {"lang fat", 37, 0.362},
      {"lang fat", 43, 0.618},    {"lang fat", 45, 0.72},     {"lang tumour", 37, 0.833},
      {"lang tumour", 40, 0.797}, {"lang tumour", 42, 0.416}, {"lang tumour", 45, 0.416}};
  for (const Case &c : cases)
  {
    const auto model = registry.create(c.model);
    check_close(std::string(c.model) + " at " +
                    std::to_string(static_cast<int>(c.temperature)) + " C",
                model->coefficient(c.temperature, 0, cb), c.value, 0.006);
  }
  for (const char *name : {"lang muscle", "lang fat", "lang tumour"})
  {
    const auto model = registry.create(name);
    for (const double t : {38.3, 41.1, 44.2})
    {
      const double dt = 1e-6;
      const double difference =
          (model->coefficient(t + dt, 0, cb) - model->coefficient(t - dt, 0, cb)) /
          (2 * dt);
      check_close(std::string(name) + " slope at " + std::to_string(t).substr(0, 4) +
                      " C",
                  model->derivative(t, 0, cb), difference, 1e-6);
    }
    // Continuous at the break points: a jump leaves the implicit heat step without a
    // root at a node sitting on it.
    for (const double t : {37.0, 42.0, 45.0})
      check_close(
          std::string(name) + " continuous at " + std::to_string(t).substr(0, 2) + " C",
          model->coefficient(t + 1e-9, 0, cb), model->coefficient(t - 1e-9, 0, cb), 1e-8);
  }
  const auto constant = registry.create("constant");
  check("constant perfusion is the database value and linear",
        constant->coefficient(44, 1234.5, 3617) == 1234.5 &&
            !constant->depends_on_temperature());
}

// Weighted percentiles (T90) on a small sample.
void percentiles()
{
  WeightedSamples samples;
  samples.assign({40, 41, 42, 43, 44}, {1, 1, 1, 1, 6});
  check_close("value reached by 60% of the weight",
              samples.upper_percentile(0.6, MPI_COMM_WORLD), 44, 1e-9);
  check_close("value reached by 90% of the weight",
              samples.upper_percentile(0.9, MPI_COMM_WORLD), 41, 1e-9);
  check_close("fraction at or above 43", samples.fraction_at_or_above(43, MPI_COMM_WORLD),
              0.7, 1e-12);
}

// Circular loop R = 0.1 m, I = 1000 A: the axis formula, the elliptic
// closed form off axis, the Helmholtz pair, a fine polygon, and curl A = B.
void coil_fields()
{
  using dealii::Point;
  using dealii::Tensor;
  const Tensor<1, 3> z_axis({0, 0, 1});
  const double mu0 = vacuum_permeability, R = 0.1, I = 1000;
  check_close("loop: B_z at the centre [T]",
              circular_loop_field(Point<3>(), z_axis, R, I, Point<3>()).b[2],
              6.283185307e-3, 1e-9);
  for (const double z : {0.03, 0.1, 0.4})
    check_close("loop: B_z on the axis at z = " + std::to_string(z).substr(0, 4),
                circular_loop_field(Point<3>(), z_axis, R, I, Point<3>(0, 0, z)).b[2],
                mu0 * I * R * R / (2 * std::pow(R * R + z * z, 1.5)), 1e-12);
  const auto off = circular_loop_field(Point<3>(), z_axis, R, I, Point<3>(0.05, 0, 0.05));
  check_close("loop: B_rho at (0.05, 0.05)", off.b[0], 1.616890841e-3, 1e-9);
  check_close("loop: B_z at (0.05, 0.05)", off.b[2], 4.345848936e-3, 1e-9);
  // Both branches agree where they meet (rho = 1e-3 R).
  const auto inner =
      circular_loop_field(Point<3>(), z_axis, R, I, Point<3>(0.99999e-4, 0, 0.03));
  const auto outer =
      circular_loop_field(Point<3>(), z_axis, R, I, Point<3>(1.00001e-4, 0, 0.03));
  check_close("loop: axis expansion meets the elliptic form (B_rho)", inner.b[0],
              outer.b[0], 1e-4);
  check_close("loop: axis expansion meets the elliptic form (A_phi)", inner.a[1],
              outer.a[1], 1e-4);
  const double helmholtz =
      circular_loop_field(Point<3>(0, 0, -R / 2), z_axis, R, I, Point<3>()).b[2] +
      circular_loop_field(Point<3>(0, 0, R / 2), z_axis, R, I, Point<3>()).b[2];
  check_close("Helmholtz pair: B at the centre", helmholtz, 8.991762856e-3, 1e-9);

  // A polygon of 4000 segments on the circle approaches the loop (error ~ 1/n^2).
  const unsigned int n = 4000;
  const Point<3> p(0.07, 0.02, -0.04);
  MagneticSourceField polygon;
  for (unsigned int k = 0; k < n; ++k)
  {
    const double a0 = 2 * M_PI * k / n, a1 = 2 * M_PI * (k + 1) / n;
    const auto f = segment_field(Point<3>(R * std::cos(a0), R * std::sin(a0), 0),
                                 Point<3>(R * std::cos(a1), R * std::sin(a1), 0), I, p);
    polygon.b += f.b;
    polygon.a += f.a;
  }
  const auto loop = circular_loop_field(Point<3>(), z_axis, R, I, p);
  check_close("polygon -> loop: |B|", polygon.b.norm(), loop.b.norm(), 1e-6);
  check_close("polygon -> loop: |B - B_loop| / |B|",
              (polygon.b - loop.b).norm() / loop.b.norm() + 1, 1, 1e-6);
  check_close("polygon -> loop: |A - A_loop| / |A|",
              (polygon.a - loop.a).norm() / loop.a.norm() + 1, 1, 1e-6);

  // curl A = B by central differences, for the loop (both branches) and a segment chain.
  auto curl_check = [&](const std::string &what, auto potential, const Point<3> &x)
  {
    const double h = 1e-6;
    Tensor<2, 3> gradient; // gradient[i][j] = d A_i / d x_j
    for (unsigned int j = 0; j < 3; ++j)
    {
      Point<3> plus = x, minus = x;
      plus[j] += h;
      minus[j] -= h;
      const Tensor<1, 3> difference = (potential(plus).a - potential(minus).a) / (2 * h);
      for (unsigned int i = 0; i < 3; ++i)
        gradient[i][j] = difference[i];
    }
    const Tensor<1, 3> curl({gradient[2][1] - gradient[1][2],
                             gradient[0][2] - gradient[2][0],
                             gradient[1][0] - gradient[0][1]});
    check_close(what, (curl - potential(x).b).norm() / potential(x).b.norm() + 1, 1,
                2e-6);
  };
  curl_check(
      "loop: curl A = B off axis",
      [&](const Point<3> &x) { return circular_loop_field(Point<3>(), z_axis, R, I, x); },
      Point<3>(0.06, 0.03, 0.02));
  curl_check(
      "loop: curl A = B near the axis",
      [&](const Point<3> &x) { return circular_loop_field(Point<3>(), z_axis, R, I, x); },
      Point<3>(3e-5, 2e-5, 0.02));
  curl_check(
      "segments: curl A = B (closed triangle)",
      [&](const Point<3> &x)
      {
        const Point<3> a(0, 0, 0), b(0.1, 0, 0), c(0, 0.1, 0.02);
        MagneticSourceField total;
        for (const auto &f : {segment_field(a, b, I, x), segment_field(b, c, I, x),
                              segment_field(c, a, I, x)})
        {
          total.b += f.b;
          total.a += f.a;
        }
        return total;
      },
      Point<3>(0.03, 0.02, 0.05));
}

// A number as parameter text, all digits kept.
std::string exact_text(double value)
{
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

// A magnet of the registry, configured like a parameter file would.
std::unique_ptr<StaticMagnet>
make_magnet(const std::string &model,
            const std::vector<std::pair<std::string, std::string>> &entries)
{
  dealii::ParameterHandler prm;
  StaticMagnet::declare_parameters(prm);
  prm.set("Model", model);
  for (const auto &entry : entries)
  {
    const auto slash = entry.first.find('/');
    if (slash == std::string::npos)
      prm.set(entry.first, entry.second);
    else
    {
      prm.enter_subsection(entry.first.substr(0, slash));
      prm.set(entry.first.substr(slash + 1), entry.second);
      prm.leave_subsection();
    }
  }
  auto magnet = PluginRegistry<StaticMagnet>::instance().create(model);
  magnet->parse_parameters(prm, RunContext(), "Magnet/");
  return magnet;
}

// div B = 0 and curl B = 0 outside the magnet, by central differences.
void check_div_curl(const std::string &what, const StaticMagnet &magnet,
                    const dealii::Point<3> &x)
{
  const double h = 1e-6;
  dealii::Tensor<2, 3> gradient;
  for (unsigned int j = 0; j < 3; ++j)
  {
    dealii::Point<3> plus = x, minus = x;
    plus[j] += h;
    minus[j] -= h;
    const auto difference =
        (magnet.flux_density(plus) - magnet.flux_density(minus)) / (2 * h);
    for (unsigned int i = 0; i < 3; ++i)
      gradient[i][j] = difference[i];
  }
  const double scale = gradient.norm();
  const double divergence = gradient[0][0] + gradient[1][1] + gradient[2][2];
  const double curl = std::sqrt(std::pow(gradient[2][1] - gradient[1][2], 2) +
                                std::pow(gradient[0][2] - gradient[2][0], 2) +
                                std::pow(gradient[1][0] - gradient[0][1], 2));
  check(what + ": div B and curl B vanish (" +
            std::to_string(std::abs(divergence) / scale) + ", " +
            std::to_string(curl / scale) + ")",
        std::abs(divergence) <= 1e-6 * scale && curl <= 1e-6 * scale);
}

// Permanent magnets: cylinder on its axis against B_z = (B_r/2)[(z+L)/sqrt(R^2+(z+L)^2) -
// z/sqrt(R^2+z^2)] (z from the face) and its derivative (0.5%: the bar; measured
// values printed), cuboid on its axis against the closed form, both far away against the
// dipole of the same moment, div B = curl B = 0, and the drift velocity.
void magnets()
{
  using dealii::Point;
  const double br = 1.2, radius = 0.01, length = 0.02;
  const auto cylinder = make_magnet("cylinder", {{"Position", "0, 0, -0.01"},
                                                 {"Remanence", "1.2"},
                                                 {"Cylinder/Radius", "0.01"},
                                                 {"Cylinder/Length", "0.02"}});
  for (const double z : {0.002, 0.01, 0.03, 0.06})
  {
    const auto axis_b = [&](double s)
    {
      return br / 2 *
             ((s + length) / std::sqrt(radius * radius + (s + length) * (s + length)) -
              s / std::sqrt(radius * radius + s * s));
    };
    const double value = cylinder->flux_density(Point<3>(0, 0, z))[2];
    check_close("cylinder: B_z on the axis at " + std::to_string(z * 1e3).substr(0, 4) +
                    " mm",
                value, axis_b(z), 5e-3);
    double magnitude;
    dealii::Tensor<1, 3> gradient;
    magnetic_gradient({cylinder.get()}, Point<3>(0, 0, z), 1e-6, magnitude, gradient);
    const double exact_gradient = (axis_b(z + 1e-7) - axis_b(z - 1e-7)) / 2e-7;
    check_close("cylinder: d|B|/dz on the axis at " +
                    std::to_string(z * 1e3).substr(0, 4) + " mm",
                gradient[2], exact_gradient, 5e-3);
  }
  check_div_curl("cylinder off axis", *cylinder, Point<3>(0.012, 0.005, 0.01));
  const auto far_dipole = make_magnet(
      "dipole", {{"Position", "0, 0, -0.01"},
                 {"Remanence", "1.2"},
                 {"Dipole/Volume", exact_text(M_PI * radius * radius * length)}});
  const Point<3> far(0.3, 0.2, 0.4);
  check_close("cylinder far away = dipole of the same moment",
              (cylinder->flux_density(far) - far_dipole->flux_density(far)).norm() /
                      far_dipole->flux_density(far).norm() +
                  1,
              1, 5e-3);

  const double a = 0.01, b = 0.0075, c = 0.005; // half sides
  const auto cuboid = make_magnet("cuboid", {{"Position", "0, 0, 0"},
                                             {"Remanence", "1.2"},
                                             {"Cuboid/Size", "0.02, 0.015, 0.01"}});
  for (const double z : {0.006, 0.02, 0.05})
  {
    const auto term = [&](double s)
    { return std::atan(a * b / (s * std::sqrt(a * a + b * b + s * s))); };
    check_close("cuboid: B_z on the axis at " + std::to_string(z * 1e3).substr(0, 4) +
                    " mm",
                cuboid->flux_density(Point<3>(0, 0, z))[2],
                br / M_PI * (term(z - c) - term(z + c)), 1e-9);
  }
  check_div_curl("cuboid off axis", *cuboid, Point<3>(0.013, -0.004, 0.007));
  const auto cuboid_dipole =
      make_magnet("dipole", {{"Position", "0, 0, 0"},
                             {"Remanence", "1.2"},
                             {"Dipole/Volume", exact_text(8 * a * b * c)}});
  const Point<3> far2(-0.4, 0.3, 0.25);
  check_close("cuboid far away = dipole of the same moment",
              (cuboid->flux_density(far2) - cuboid_dipole->flux_density(far2)).norm() /
                      cuboid_dipole->flux_density(far2).norm() +
                  1,
              1, 2e-3);

  // Drift velocity: u = V_m M_s L(xi) grad|B| / (6 pi eta r_h), written out.
  MagnetophoreticParticles particles;
  particles.core_diameter = 20e-9;
  particles.cores_per_cluster = 50;
  particles.hydrodynamic_radius = 100e-9;
  particles.viscosity = 5e-3;
  const double field = 0.2;
  const dealii::Tensor<1, 3> gradient({0, 0, -15});
  const double v = M_PI * std::pow(20e-9, 3) / 6;
  const double xi = 446e3 * v * field / (1.380649e-23 * 310.15);
  const double expected =
      50 * v * 446e3 * (1 / std::tanh(xi) - 1 / xi) * 15 / (6 * M_PI * 5e-3 * 100e-9);
  check_close("magnetophoretic speed",
              magnetophoretic_velocity(particles, field, gradient).norm(), expected,
              1e-12);
  check("drift points up the field gradient",
        magnetophoretic_velocity(particles, field, gradient)[2] < 0);
  check_close("Langevin L(1e-4) = xi/3", langevin(1e-4), 1e-4 / 3 - 1e-12 / 45, 1e-12);
}

// Numbers in parameters: finite, fully consumed.
void text_parsing()
{
  auto rejects = [](const std::string &text)
  {
    try
    {
      parse_double(text, "test");
    }
    catch (const InputError &error)
    {
      return std::string(error.what()).find("test") != std::string::npos;
    }
    return false;
  };
  check("'nan' is rejected", rejects("nan"));
  check("'inf' is rejected", rejects("inf"));
  check("'1e999' is rejected", rejects("1e999"));
  check("'1.5x' is rejected", rejects("1.5x"));
  check("'' is rejected", rejects(" "));
  check("' 2.5e3 ' is 2500", parse_double(" 2.5e3 ", "test") == 2500);
  const auto pairs = parse_key_value_list("a: 1; b : x y", "test");
  check("key-value list",
        pairs.size() == 2 && pairs[1].first == "b" && pairs[1].second == "x y");
}

// Times with units: s, min, h, d; a plain number in seconds; anything else an error
// naming the parameter. Intervals 'start-end' and 'start+duration' with units.
void time_units()
{
  check("'90' is 90 s", parse_time("90", "test") == 90);
  check("'90 s' is 90 s", parse_time("90 s", "test") == 90);
  check("'30 min' is 1800 s", parse_time("30 min", "test") == 1800);
  check("'2h' is 7200 s", parse_time("2h", "test") == 7200);
  check("'1.5 d' is 129600 s", parse_time(" 1.5 d ", "test") == 129600);
  check("'1e-3 s' is 1e-3 s", parse_time("1e-3 s", "test") == 1e-3);
  check("'2.5e3' is 2500 s", parse_time("2.5e3", "test") == 2500);
  auto rejects = [](const std::string &text)
  {
    try
    {
      parse_time(text, "Treatment schedule/End time");
    }
    catch (const InputError &error)
    {
      const std::string message = error.what();
      return message.find("Treatment schedule/End time") != std::string::npos &&
             message.find("'" + trim(text) + "'") != std::string::npos;
    }
    return false;
  };
  for (const char *text :
       {"3 days", "2 hours", "5 ms", "d", "1.5x", "min 30", "", "nan s"})
    check(std::string("'") + text + "' is rejected naming the parameter", rejects(text));

  TimeIntervals intervals;
  intervals.parse("0 + 30 min", "test", 1e6);
  check("an interval 'start+duration' with units",
        intervals.list()[0] == std::make_pair(0.0, 1800.0));
  intervals.parse("1 h - 2 h; 2 d + 30 min; 1e-3-5", "test", 1e6);
  check("intervals with units, sorted; an exponent is not a separator",
        intervals.list().size() == 3 &&
            intervals.list()[0] == std::make_pair(1e-3, 5.0) &&
            intervals.list()[1] == std::make_pair(3600.0, 7200.0) &&
            intervals.list()[2] == std::make_pair(172800.0, 174600.0));
  ferrotherm::TreatmentSchedule schedule;
  schedule.parse_sessions("0 + 30 min; 2 d + 30 min: 0.8; 3 d + 1 h: 300 kHz, 0.5; "
                          "4 d + 1 h: 0.15 MHz",
                          1e6);
  check("a session's coil current scale, 1 by default",
        schedule.field_scale(0, 60) == 1 && schedule.field_scale(172800, 172860) == 0.8 &&
            schedule.field_scale(3600, 3660) == 0 &&
            schedule.field_scale(259200, 259260) == 0.5);
  check("a session's frequency (0: Electromagnetics/Frequency)",
        schedule.session_frequency(0, 60) == 0 &&
            schedule.session_frequency(259200, 259260) == 3e5 &&
            schedule.session_frequency(345600, 345660) == 1.5e5 &&
            schedule.session_frequencies() == std::vector<double>{1.5e5, 3e5});
  auto session_error = [](const std::string &text, const std::string &expected)
  {
    try
    {
      ferrotherm::TreatmentSchedule bad;
      bad.parse_sessions(text, 1e6);
    }
    catch (const InputError &error)
    {
      return std::string(error.what()).find(expected) != std::string::npos;
    }
    return false;
  };
  check("a frequency without a known unit is refused",
        session_error("0 + 1 h: 300 kHzz", "expected a frequency with the unit Hz"));
  check("a frequency out of range is refused", session_error("0 + 1 h: 0 Hz", "Hz"));
  check("two frequencies for a session are refused",
        session_error("0 + 1 h: 100 kHz, 200 kHz", "two frequencies"));
  check("a scale above 10 is refused",
        session_error("0 + 1 h: 11", "coil current scale"));
  bool value_refused = false;
  try
  {
    intervals.parse("0 + 30 min: 0.5", "test", 1e6);
  }
  catch (const InputError &)
  {
    value_refused = true;
  }
  check("a value where none is taken (magnet application) is refused", value_refused);
  bool overlap_rejected = false;
  try
  {
    intervals.parse("0 + 2 h; 1 h + 30 min", "test", 1e6);
  }
  catch (const InputError &)
  {
    overlap_rejected = true;
  }
  check("overlapping sessions are rejected", overlap_rejected);
}
} // namespace

// Variable-step BDF2 is exact for quadratics: (a0 u(t3) + a1 u(t2) + a2 u(t1)) / dt =
// u'(t3), and the extrapolation through three levels reproduces u(t3); after a
// first_order_next() one step is backward Euler, then the order returns to 2.
void bdf_history()
{
  const auto u = [](double t) { return 1 + 2 * t + 3 * t * t; };
  const auto du = [](double t) { return 2 + 6 * t; };
  dealii::IndexSet owned(1);
  owned.add_index(0);
  ferrotherm::BdfHistory history;
  history.reinit(owned, MPI_COMM_WORLD, 3);
  ferrotherm::LA::MPI::Vector value(owned, MPI_COMM_WORLD);
  auto set = [&](double t)
  {
    value[0] = u(t);
    value.compress(dealii::VectorOperation::insert);
  };
  const double t0 = 0.2, h1 = 0.5, h2 = 0.3, dt = 0.7;
  set(t0);
  history.start(value);
  check("one level: first order", history.coefficients(dt, 2).order == 1);
  set(t0 + h1);
  history.accept(value, h1);
  set(t0 + h1 + h2);
  history.accept(value, h2);
  const double t3 = t0 + h1 + h2 + dt;
  const auto c = history.coefficients(dt, 2);
  const double derivative =
      (c.a0 * u(t3) + c.a1 * u(t3 - dt) + c.a2 * u(t3 - dt - h2)) / dt;
  check_close("BDF2 with steps 0.3, 0.7: u' of a quadratic", derivative, du(t3), 1e-13);
  history.extrapolate(dt, 2, value);
  check_close("quadratic extrapolation through three levels", value[0], u(t3), 1e-13);
  history.extrapolate(dt, 1, value);
  const double linear = u(t3 - dt) + dt * (u(t3 - dt) - u(t3 - dt - h2)) / h2;
  check_close("linear extrapolation", value[0], linear, 1e-13);
  history.combine_history(c, 1.0 / dt, value);
  check_close("history term", value[0], (c.a1 * u(t3 - dt) + c.a2 * u(t3 - dt - h2)) / dt,
              1e-13);
  history.first_order_next();
  check("after a jump: one first-order step", history.coefficients(dt, 2).order == 1);
  check("the levels stay", history.available_levels() == 3);
  set(t3);
  history.accept(value, dt);
  check("then second order again", history.coefficients(dt, 2).order == 2);
  check_close("the last step", history.last_step(), dt, 0);
}

// The analytic Jacobian of the immunotherapy kinetics against central differences of
// the rates at random states (densities up to the capacity, every input varied, T from
// 36 to 56 deg C across the CEM43 break, the ICD window and the T-cell kill onset), and
// quasi-positivity: a species' rate is >= 0 where that species is 0.
void immunotherapy_jacobian()
{
  namespace im = ferrotherm::immunotherapy;
  const im::Parameters p;
  std::mt19937 generator(2026);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::array<double, im::n_species> magnitude = {
      {1e6, 3e5, 3, 2, 5, 30, 20, 3e3, 300, 300, 10}};
  double worst = 0;
  bool positive = true;
  for (unsigned int trial = 0; trial < 200; ++trial)
  {
    im::Inputs in;
    in.temperature = 36 + 20 * unit(generator);
    in.iron = 5 * unit(generator);
    in.perfusion = 1e-2 * unit(generator);
    in.effectors_blood = 10 * unit(generator);
    in.antibody_plasma = 100 * unit(generator);
    const im::Coefficients c(p, in);
    std::array<double, im::n_species> u, f, shifted, f_plus, f_minus;
    for (unsigned int k = 0; k < im::n_species; ++k)
      u[k] = magnitude[k] * unit(generator);
    // Keep P away from the kink of <P - P_th>+, where the derivative jumps.
    if (std::abs(u[im::lipid_peroxide] - p.ferroptosis_threshold) < 1e-3)
      u[im::lipid_peroxide] += 1e-2;
    std::array<double, im::n_species * im::n_species> jac;
    im::jacobian(p, in, c, u.data(), jac.data());
    im::rates(p, in, c, u.data(), f.data());
    for (unsigned int j = 0; j < im::n_species; ++j)
    {
      const double h = 1e-6 * magnitude[j];
      shifted = u;
      shifted[j] = u[j] + h;
      im::rates(p, in, c, shifted.data(), f_plus.data());
      shifted[j] = u[j] - h;
      im::rates(p, in, c, shifted.data(), f_minus.data());
      for (unsigned int i = 0; i < im::n_species; ++i)
      {
        const double difference = (f_plus[i] - f_minus[i]) / (2 * h);
        // Relative to the size of row i's terms over the state's scale.
        double row_scale = 1e-300;
        for (unsigned int k = 0; k < im::n_species; ++k)
          row_scale =
              std::max(row_scale, std::abs(jac[i * im::n_species + k]) * magnitude[k]);
        worst = std::max(worst, std::abs(jac[i * im::n_species + j] - difference) *
                                    magnitude[j] / row_scale);
      }
      // Quasi-positivity at u_j = 0.
      shifted = u;
      shifted[j] = 0;
      im::rates(p, in, c, shifted.data(), f_plus.data());
      positive = positive && f_plus[j] >= 0;
    }
  }
  std::cout << "largest Jacobian error relative to its row: " << worst << "\n";
  check("analytic Jacobian = central differences at 200 random states (<= 1e-6)",
        worst <= 1e-6);
  check("every rate >= 0 where its species is 0 (quasi-positive)", positive);
}

// StateArchive writes and reads the same members; ModuleState frames each record and
// refuses one that does not match.
void state_archive()
{
  struct Totals
  {
    double a = 1.5, b = -2e-300;
  };
  double x = M_PI;
  unsigned int n = 7;
  std::string text = "tumour";
  std::vector<double> values = {1, 2, 3};
  std::map<std::string, unsigned int> counts = {{"warning", 3}};
  Totals totals;
  ferrotherm::ModuleState state;
  state.begin_module("Heat");
  state.add_record([&](ferrotherm::StateArchive &archive)
                   { archive &x &n &text &values &counts &totals; });
  const std::string data = state.save_records();
  x = 0, n = 0, text.clear(), values.clear(), counts.clear(), totals = Totals{0, 0};
  state.load_records(data);
  check("round trip of numbers, strings, vectors, maps and structs",
        x == M_PI && n == 7 && text == "tumour" && values.size() == 3 && values[2] == 3 &&
            counts["warning"] == 3 && totals.a == 1.5 && totals.b == -2e-300);
  ferrotherm::ModuleState other;
  other.begin_module("Transport");
  other.add_record([&](ferrotherm::StateArchive &archive) { archive &x; });
  bool refused = false;
  try
  {
    other.load_records(data);
  }
  catch (const std::runtime_error &error)
  {
    refused = std::string(error.what()).find("'Heat'") != std::string::npos;
  }
  check("a record of another module is refused, naming it", refused);
}

int main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const std::map<std::string, std::function<void()>> cases = {
      {"rosensweig_table", rosensweig_table},
      {"rosensweig_distribution", rosensweig_distribution},
      {"rosensweig_immobilised", rosensweig_immobilised},
      {"thermal_dose", thermal_dose},
      {"cole_cole", cole_cole},
      {"lang_perfusion", lang_perfusion},
      {"percentiles", percentiles},
      {"coil_fields", coil_fields},
      {"magnets", magnets},
      {"text_parsing", text_parsing},
      {"time_units", time_units},
      {"bdf_history", bdf_history},
      {"state_archive", state_archive},
      {"immunotherapy_jacobian", immunotherapy_jacobian}};
  if (argc != 2 || cases.count(argv[1]) == 0)
  {
    std::cerr << "usage: unit_tests <case>; cases:";
    for (const auto &c : cases)
      std::cerr << " " << c.first;
    std::cerr << "\n";
    return 2;
  }
  cases.at(argv[1])();
  std::cout << (failures ? "FAILED" : "all checks passed") << "\n";
  return failures ? 1 : 0;
}
