"""Reaction-diffusion engine of the immune layer (Immune/Model = custom) against closed
forms.
  kpp Q1|Q2:  Fisher-KPP travelling wave, L2 error on four / three meshes at a small step:
              orders 2 / 3 (+-0.2);
  kpp-time:   the same wave on a fine Q2 mesh with steps 500, 250, 125 s: Strang splitting
              order 2 (+-0.2);
  kpp-speed:  a front from a step spreads at 2 sqrt(D r) (within 2%, and within 0.5% of
              Bramson's correction at r t = 90);
  logistic:   u' = r u (1 - u) at every node in one 2000 s step against
              1 / (1 + 9 exp(-r t)) (adaptive nodal integration, tolerance 1e-10);
  exchange:   two species exchanging, u' = -k1 u + k2 v, v' = k1 u - k2 v, diffusing with
              tissue-dependent D on a mesh with hanging nodes: u + v conserved to 1e-10 at
              the default solver settings, the totals against the closed-form relaxation,
              1 and 2 ranks agree;
  coupling:   a rate that reads the temperature field, u' = -1e-3 (temperature - 36) u at
              37 C: u = exp(-1e-3 t);
  chemotaxis: u drifting up a fixed attractant gradient (chi/D = 2) relaxes to its steady
              state C exp(chi z/D): L2 error on four meshes, order >= 0.9, mass
              conserved to the solver tolerance; a strongly chemotactic run (chi/D = 200, cell Peclet
              number 10) stays non-negative and conserves mass."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

KPP = os.path.join(HERE, "immune", "fisher_kpp.prm")
mode = sys.argv[1]


def l2_error(output):
    return read_csv(os.path.join(output, "errors.csv"))["L2_error"][-1]


if mode == "chemotaxis":
    prm = os.path.join(HERE, "immune", "chemotaxis.prm")
    volume = 0.01 * 0.001 * 0.001
    errors = []
    for n in (10, 20, 40, 80):
        output = f"out-chemotaxis-{n}"
        run(prm, [f"Mesh/Box/Subdivisions={n}, 1, 1"], output=output)
        stats = read_csv(os.path.join(output, "statistics.csv"))
        mass = stats["u_total"][-1]
        # GMRES to its default relative tolerance 1e-8 in each of the 100 steps.
        check(abs(mass - volume) <= 1e-8 * volume, f"{n} cells: mass {mass / volume:.12f} of the initial")
        errors.append(l2_error(output))
    observed = orders(errors)
    print("L2 errors:", ", ".join(f"{e:.3e}" for e in errors), "orders:", ", ".join(f"{p:.2f}" for p in observed))
    check(min(observed) >= 0.9, f"the steady state converges at first order or better ({min(observed):.2f})")
    # ||u||_2 of u = C exp(2x/L), C = 2/(e^2 - 1), over the 1 mm^2 section.
    norm = math.sqrt((2 / (math.exp(2) - 1)) ** 2 * 0.01 / 4 * (math.exp(4) - 1) * 1e-6)
    check(errors[-1] <= 1e-2 * norm, f"80 cells: L2 error {errors[-1] / norm:.1e} of the solution's norm")
    # chi/D = 200 on 20 cells (cell Peclet number chi h/(D L) = 10): without upwinding the
    # Galerkin operator has positive off-diagonals and the solution oscillates below 0.
    output = "out-chemotaxis-strong"
    run(prm, ["Mesh/Box/Subdivisions=20, 1, 1", "Immune/Custom/Chemotaxis=u: z, 2e-7",
              "Postprocess/List of postprocessors="], output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    check(min(stats["u_min"]) >= -1e-12, f"strong chemotaxis: u stays non-negative (lowest {min(stats['u_min']):.1e})")
    check(abs(stats["u_total"][-1] - volume) <= 1e-10 * volume, "and conserves mass")
    # The steady state puts all but exp(-10) of the mass into the last node (its lumped
    # volume h/2 of the length: u = 2 L/h = 40).
    check(stats["u_max"][-1] > 0.99 * 40, f"the cells gather at the attractant's peak (largest u {stats['u_max'][-1]:.2f})")
elif mode == "kpp-speed":
    # A front from a step (u = 1 for x < 5 mm) spreads at the minimal speed c* = 2 sqrt(D r)
    # (Kolmogorov, Petrovsky & Piskunov 1937), approached from below as
    # c(t) = c* (1 - 3/(4 r t)) (Bramson 1983). Speed from the total: behind the front
    # u = 1, so d(int u dV)/dt = c A. Over r t = 80..100 the deficit is 0.8%.
    D, r = 1e-9, 1e-3
    section = 0.25e-3 ** 2
    output = "out-kpp-speed"
    run(KPP, ["Mesh/Box/Upper corner=0.25, 0.00025, 0.00025", "Mesh/Box/Subdivisions=1000, 1, 1",
              "Immune/Custom/Initial values=u: x < 0.005", "Immune/Custom/Time step=50",
              "Heat/Time step=1e5", "Treatment schedule/End time=1e5", "Output/Output interval=2e4",
              "Postprocess/List of postprocessors="], output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    times, totals = stats["time_s"], stats["u_total"]
    speed = (totals[-1] - totals[-2]) / section / (times[-1] - times[-2])
    minimal = 2 * math.sqrt(D * r)
    bramson = minimal * (1 - 3 / (4 * r * 0.5 * (times[-1] + times[-2])))
    print(f"front speed over t = {times[-2]:g}..{times[-1]:g} s: {speed:.5e} m/s; 2 sqrt(D r) = {minimal:.5e}, "
          f"with Bramson's correction {bramson:.5e}")
    check(abs(speed / minimal - 1) <= 0.02, f"within 2% of 2 sqrt(D r): {speed / minimal - 1:+.2%}")
    check(abs(speed / bramson - 1) <= 0.005, f"within 0.5% of the Bramson-corrected speed: {speed / bramson - 1:+.2%}")
    check(min(stats["u_min"]) >= -1e-10 and max(stats["u_max"]) <= 1 + 1e-8, "0 <= u <= 1")
elif mode in ("kpp-Q1", "kpp-Q2"):
    degree = int(mode[-1])
    cells = [60, 120, 240, 480] if degree == 1 else [60, 120, 240]
    errors = []
    for n in cells:
        output = f"out-kpp-{degree}-{n}"
        run(KPP, [f"Heat/Finite element degree={degree}", f"Mesh/Box/Subdivisions={n}, 1, 1",
                  "Immune/Custom/Time step=2"], output=output)
        errors.append(l2_error(output))
        print(f"h = {60 / n:.3f} mm: L2 error {errors[-1]:.4e}")
    observed = orders(errors)
    print("orders:", " ".join(f"{o:.2f}" for o in observed))
    check(abs(observed[-1] - (degree + 1)) <= 0.2, f"L2 order {observed[-1]:.2f} = {degree + 1} +- 0.2")
elif mode == "kpp-time":
    errors = []
    for step in (500, 250, 125):
        output = f"out-kpp-time-{step}"
        run(KPP, ["Heat/Finite element degree=2", "Mesh/Box/Subdivisions=480, 1, 1",
                  f"Immune/Custom/Time step={step}"], output=output)
        errors.append(l2_error(output))
        print(f"dt = {step} s: L2 error {errors[-1]:.4e}")
    observed = orders(errors)
    print("orders:", " ".join(f"{o:.2f}" for o in observed))
    check(all(abs(o - 2) <= 0.2 for o in observed), "Strang splitting with SDIRK2: order 2 +- 0.2 in time")
elif mode == "logistic":
    output = "out-logistic"
    run(KPP, ["Immune/Custom/Diffusivities=", "Immune/Custom/Initial values=u: 0.1",
              "Immune/Custom/Reactions=u: 1e-2 * u * (1 - u)", "Immune/Custom/Time step=2000",
              "Treatment schedule/End time=2000", "Output/Output interval=2000", "Heat/Time step=2000",
              "Postprocess/Solution error/Exact solution=1 / (1 + 9 * exp(-1e-2 * t))"], output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    exact = 1 / (1 + 9 * math.exp(-20))
    error = max(abs(stats["u_min"][-1] - exact), abs(stats["u_max"][-1] - exact))
    print(f"u(2000 s) = {stats['u_max'][-1]:.12f}, exact {exact:.12f}, "
          f"{int(stats['immune_reaction_substeps'][-1])} substeps at each of the nodes and half steps")
    check(error <= 1e-8, f"nodal error {error:.2e} <= 1e-8 (tolerance 1e-10, 20 e-folds of growth)")
elif mode == "exchange":
    prm = os.path.join(HERE, "immune", "exchange.prm")
    run(prm, output="out-exchange-1")
    run(prm, output="out-exchange-2", ranks=2)
    one, two = read_csv("out-exchange-1/statistics.csv"), read_csv("out-exchange-2/statistics.csv")
    total0 = one["u_total"][0] + one["v_total"][0]
    drift = max(abs(u + v - total0) / total0 for u, v in zip(one["u_total"], one["v_total"]))
    # At the default linear-solver tolerance (1e-8 of each diffusion solve's initial
    # residual) the totals drift by ~2e-11 relative over the run.
    check(drift <= 1e-10, f"u + v conserved: largest relative change {drift:.1e}")
    k1, k2 = 2e-3, 1e-3
    for t, u in zip(one["time_s"], one["u_total"]):
        exact = total0 * (k2 / (k1 + k2) + (1 - k2 / (k1 + k2)) * math.exp(-(k1 + k2) * t))
        check(abs(u - exact) <= 1e-8 * total0, f"t = {t:g} s: total u {u:.10e} vs {exact:.10e}")
    for column in ("u_total", "v_total", "u_min", "v_max"):
        a, b = one[column][-1], two[column][-1]
        check(abs(a - b) <= 1e-9 * abs(a) + 1e-15, f"1 and 2 ranks: {column} {a:.12g} vs {b:.12g}")
elif mode == "coupling":
    output = "out-coupling"
    run(KPP, ["Immune/Custom/Diffusivities=", "Immune/Custom/Initial values=u: 1",
              "Immune/Custom/Reactions=u: -1e-3 * (temperature - 36) * u",
              "Postprocess/Solution error/Exact solution=exp(-1e-3 * t)"], output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    exact = math.exp(-1.0)
    error = max(abs(stats["u_min"][-1] - exact), abs(stats["u_max"][-1] - exact))
    check(error <= 1e-8, f"u(1000 s) = {stats['u_max'][-1]:.12f} vs exp(-1) {exact:.12f}")
else:
    sys.exit("usage: immune.py kpp-Q1|kpp-Q2|kpp-time|logistic|exchange|coupling")
finish()
