// Dielectric properties of tissue from the four-pole Cole-Cole model of
// Gabriel, Lau & Gabriel (1996), Phys. Med. Biol. 41:2271, Appendix C:
//   eps(w) = eps_inf + sum_n d_n / (1 + (j w tau_n)^(1 - alpha_n)) + sigma_i / (j w eps0)
//   sigma = -w eps0 Im(eps),  eps_r = Re(eps).
// The parameter table is a tab-separated file (prm/gabriel-cole-cole-parameters.tsv).
#pragma once

#include <map>
#include <string>

namespace ferrotherm
{
struct ColeColeParameters
{
  double eps_inf;
  double delta[4];
  double tau[4]; // seconds
  double alpha[4];
  double ionic_conductivity; // S/m
};

struct DielectricProperties
{
  double conductivity;          // S/m
  double relative_permittivity; // 1
};

DielectricProperties cole_cole_properties(const ColeColeParameters &parameters,
                                          double frequency);

// Reads the Gabriel table: tissue name -> parameters.
std::map<std::string, ColeColeParameters> read_cole_cole_table(const std::string &file);
} // namespace ferrotherm
