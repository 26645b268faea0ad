// ReactionDiffusionSystem: n species u_k on the shared scalar space,
//   du_k/dt = div(D_k grad u_k - chi_k u_k grad u_a) + R_k(u, inputs, x, t),
// no flux on the boundary, with chemotaxis of u_k up the gradient of an attractant
// species u_a (Keller & Segel 1971, J Theor Biol 30:225),
// advanced by Strang splitting (Strang 1968, SIAM J Numer Anal 5:506): half a step of
// the reactions at the nodes, a full step of diffusion, half a step of reactions.
// Diffusion: the L-stable two-stage SDIRK method (Alexander 1977, SIAM J Numer Anal
// 14:1006; gamma = 1 - 1/sqrt(2)) with the consistent mass matrix; both stages share
// M + gamma dt K_k, so one matrix and preconditioner per species serves every step of a
// given dt, and each species' mass is conserved to solver tolerance. Reactions: the same
// SDIRK method per node (simplified Newton with the model's analytic Jacobian, or
// finite differences, once per substep), with step-doubling
// error control against a relative tolerance and local (Richardson) extrapolation.
// Second order in time and of the element's order + 1 in space (nodal reactions).
// Chemotaxis: the drift chi grad u_a of the attractant at the start of the diffusion
// step, Galerkin transport made local-extremum diminishing by element-level discrete
// upwinding (Kuzmin 2006, J Comput Phys 219:513: the symmetric artificial diffusion
// d_ij = -max(0, l_ij, l_ji) removes the positive off-diagonals of each element's
// operator, conserving mass), first order in space where it acts; the matrix of such a
// species is rebuilt every step and solved by GMRES.
#pragma once

#include "core/linear_algebra.h"
#include "core/scalar_linear_solver.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/lac/affine_constraints.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferrotherm
{
class ModuleState;
class ScalarSpace;

class ReactionDiffusionSystem
{
public:
  struct Species
  {
    std::string name;
    double diffusivity = 0; // m^2/s
    std::map<unsigned int, double> diffusivity_by_label;
    // Chemotaxis up the gradient of species `attractant` (-1: none) with sensitivity
    // `chemotaxis` [m^2/s per unit of the attractant].
    int attractant = -1;
    double chemotaxis = 0;
  };

  // Rates R [unit/s] at the locally owned node `node` (local index) at `time`:
  // `values` and `rates` hold one entry per species.
  using Kinetics = std::function<void(unsigned int node, double time,
                                      const double *values, double *rates)>;
  // The Jacobian d rates_i / d values_j at the node, row-major (n x n); an empty one
  // means finite differences of the rates.
  using Jacobian = std::function<void(unsigned int node, double time,
                                      const double *values, double *jacobian)>;

  // "Reaction tolerance" and the "Linear solver" subsection, in the current section.
  static void declare_parameters(dealii::ParameterHandler &prm,
                                 const std::string &default_tolerance = "1e-8");
  void parse_parameters(dealii::ParameterHandler &prm, unsigned int n_species);

  // Row-sum lumped mass in the diffusion step (before setup; the row sums of the
  // hanging-node condensed mass), and the stiffness without positive couplings
  // (discrete upwinding per element; Q1 has them on cells stretched beyond sqrt 2). The
  // first SDIRK stage is then an M-matrix solve, which keeps non-negative values
  // non-negative; the
  // second stage's right-hand side (M - (sqrt 2 - 1) dt K) U1 is non-negative only for
  // dt up to about h^2/(1.1 D), so long steps on fine cells may still undershoot.
  void set_lumped_mass(bool lumped) { lumped_mass = lumped; }

  void setup(const ScalarSpace &space, const std::vector<Species> &species);

  // Nodal values of species k (ghosted); set_values copies owned values in.
  const FieldVector &values(unsigned int k) const { return nodal[k]; }
  void set_values(unsigned int k, const FieldVector &owned_values);

  // The species, the reaction substep hints and the counters.
  void register_state(ModuleState &state);

  // Advances from t by dt (Strang: R(dt/2) D(dt) R(dt/2)).
  void step(double t, double dt, const Kinetics &kinetics,
            const Jacobian &jacobian = Jacobian());

  // integral(phi_i) of the locally owned nodes (ghosted).
  const FieldVector &node_volumes() const { return node_volume; }

  // Integral of species k over the mesh, and its extremes over the nodes.
  double total(unsigned int k) const;
  double minimum(unsigned int k) const;
  double maximum(unsigned int k) const;

  unsigned int reaction_substeps() const { return n_reaction_substeps; }
  unsigned int linear_iterations() const { return n_linear_iterations; }

private:
  void assemble_diffusion(double dt);
  // The operator L_k = K_k - A_k(grad u_a) with discrete upwinding, into transport[k].
  void assemble_chemotaxis(unsigned int k);
  void diffuse(double dt);
  // LU factors (partial pivoting) of I - h_gamma J for the nodal Newton iterations.
  struct DenseLU
  {
    std::vector<double> lu;
    std::vector<unsigned int> pivots;
    void resize(unsigned int n);
    bool factor(const std::vector<double> &jacobian, double h_gamma);
    void solve(double *b) const;
  };

  void react(double t, double dt, const Kinetics &kinetics, const Jacobian &jacobian);
  void evaluate_jacobian(unsigned int node, double time, const Kinetics &kinetics,
                         const Jacobian &analytic_jacobian, const std::vector<double> &y,
                         const std::vector<double> &scale);
  bool sdirk_step(unsigned int node, double t, double h, const Kinetics &kinetics,
                  const DenseLU &newton, const std::vector<double> &start,
                  std::vector<double> &end, const std::vector<double> &scale);
  bool stage(unsigned int node, double time, double h_gamma, const Kinetics &kinetics,
             const DenseLU &newton, const std::vector<double> &base,
             std::vector<double> &y, const std::vector<double> &scale);

  // Scratch of the nodal integration, sized in setup (no allocation per node).
  struct NodalScratch
  {
    std::vector<double> rates, shifted, shifted_rates, correction, first, base, y, full,
        half, twice, jacobian;
    DenseLU step_matrix, half_matrix;
  } scratch;

  const ScalarSpace *space = nullptr;
  std::vector<Species> species;
  dealii::AffineConstraints<double> constraints;
  std::vector<FieldVector> nodal;
  FieldVector node_volume;
  FieldVector substep_hint; // per node: the last accepted reaction substep

  LA::MPI::SparseMatrix mass;
  std::vector<std::unique_ptr<LA::MPI::SparseMatrix>> stiffness, system, transport;
  std::vector<std::unique_ptr<ScalarLinearSolver>> solvers;
  double assembled_dt = -1;
  LA::MPI::Vector u, u_stage, rhs, work;

  double tolerance = 1e-8;
  bool lumped_mass = false;
  unsigned int n_reaction_substeps = 0, n_linear_iterations = 0;
};
} // namespace ferrotherm
