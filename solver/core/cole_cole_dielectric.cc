// Four-pole Cole-Cole dielectric model (Gabriel et al. 1996); see the header.
#include "core/cole_cole_dielectric.h"

#include "core/input_error.h"
#include "core/text_parsing.h"

#include <cmath>
#include <complex>
#include <fstream>
#include <vector>

namespace ferrotherm
{
DielectricProperties cole_cole_properties(const ColeColeParameters &p, double frequency)
{
  constexpr double eps0 = 8.8541878128e-12;
  const double omega = 2 * M_PI * frequency;
  const std::complex<double> j(0, 1);
  std::complex<double> eps = p.eps_inf;
  for (unsigned int n = 0; n < 4; ++n)
    eps += p.delta[n] / (1.0 + std::pow(j * omega * p.tau[n], 1.0 - p.alpha[n]));
  eps += p.ionic_conductivity / (j * omega * eps0);
  return {-omega * eps0 * eps.imag(), eps.real()};
}

std::map<std::string, ColeColeParameters> read_cole_cole_table(const std::string &file)
{
  std::ifstream in(file);
  if (!in)
    throw_input_error(file, "cannot open the Cole-Cole parameter table");
  std::map<std::string, ColeColeParameters> table;
  const double tau_unit[4] = {1e-12, 1e-9, 1e-6, 1e-3};
  std::string line;
  unsigned int line_number = 0;
  bool header_seen = false;
  while (std::getline(in, line))
  {
    if (++line_number == 1)
      strip_byte_order_mark(line);
    if (trim(line).empty() || trim(line)[0] == '#')
      continue;
    const std::vector<std::string> cells = split(line, '\t');
    const std::string where = file + ":" + std::to_string(line_number);
    if (!header_seen)
    {
      header_seen = true;
      if (cells.empty() || cells[0] != "tissue")
        throw_input_error(where, "expected the header row starting with 'tissue'");
      continue;
    }
    if (cells.size() != 15)
      throw_input_error(where, "expected 15 tab-separated columns, found " +
                                   std::to_string(cells.size()));
    ColeColeParameters p;
    p.eps_inf = parse_double(cells[1], where);
    p.delta[0] = parse_double(cells[2], where);
    p.tau[0] = parse_double(cells[3], where) * tau_unit[0];
    p.alpha[0] = parse_double(cells[4], where);
    p.delta[1] = parse_double(cells[5], where);
    p.tau[1] = parse_double(cells[6], where) * tau_unit[1];
    p.alpha[1] = parse_double(cells[7], where);
    p.ionic_conductivity = parse_double(cells[8], where);
    for (unsigned int n = 2; n < 4; ++n)
    {
      p.delta[n] = parse_double(cells[9 + 3 * (n - 2)], where);
      p.tau[n] = parse_double(cells[10 + 3 * (n - 2)], where) * tau_unit[n];
      p.alpha[n] = parse_double(cells[11 + 3 * (n - 2)], where);
    }
    table[cells[0]] = p;
  }
  if (table.empty())
    throw_input_error(file, "the Cole-Cole table holds no tissue");
  return table;
}
} // namespace ferrotherm
