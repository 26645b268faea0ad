"""Full eddy-current model (Nedelec, MINRES + block AMS) on the conducting sphere.
  tissue: sigma = 0.5 S/m at 100 kHz: power within 2% of pi sigma omega^2 mu0^2 H0^2 a^5/15
          on the EM mesh and after transfer to the tissue mesh, and the quasi-static model
          agrees within 2% (power, |E| at probes);
  skin:   a/delta = 3: power within 3% of the spherical-Bessel solution, second-order
          convergence of the power to the solution with the same air truncation (R = 5a),
          H(curl) error of A of order 1, tangential continuity of the Nedelec field, MINRES
          iterations over 3 refinements x 3 frequencies, 1 vs 2 MPI ranks, and the direct
          solver (MUMPS) against MINRES + AMS. The closed form of A is the test plugin
          tests/em/conducting_sphere_reference.cc, whose library is the second argument.
  sphere_full.py tissue|skin [REFERENCE_LIBRARY]"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "em", "sphere_full.prm")
mu0, a, h0 = 4e-7 * math.pi, 0.05, 1e4
sigma_conductor = 9118.906527810399


def statistics(output):
    return {k: v[-1] for k, v in read_csv(os.path.join(output, "statistics.csv")).items()}


def bessel_power(sigma, omega, outer=None):
    """Power in the sphere from the closed form (spherical Bessel functions), with the
    air truncated at `outer` (n x A_r = 0) or unbounded."""
    import cmath
    delta = math.sqrt(2 / (omega * mu0 * sigma))
    k = complex(1, -1) / delta
    j0 = lambda z: cmath.sin(z) / z
    j1 = lambda z: cmath.sin(z) / z ** 2 - cmath.cos(z) / z
    fc = 0 if outer is None else -1 / outer ** 3
    b0 = mu0 * h0
    m11, m12 = j1(k * a), -(1 / a ** 2 + fc * a)
    m21, m22 = j1(k * a) + k * a * (j0(k * a) - 2 * j1(k * a) / (k * a)), -(-1 / a ** 2 + 2 * fc * a)
    c = (0.5 * b0 * a * m22 - m12 * b0 * a) / (m11 * m22 - m12 * m21)
    n = 20000  # Simpson on [0, a] of |j1(k r)|^2 r^2
    total = 0
    for i in range(n + 1):
        r = max(a * i / n, 1e-12)
        w = 1 if i in (0, n) else (4 if i % 2 else 2)
        total += w * abs(j1(k * r)) ** 2 * r ** 2
    integral = total * (a / n) / 3
    return 0.5 * sigma * omega ** 2 * abs(c) ** 2 * 2 * math.pi * 4 / 3 * integral


part = sys.argv[1]
if part == "tissue":
    omega = 2 * math.pi * 1e5
    exact = math.pi * 0.5 * omega ** 2 * mu0 ** 2 * h0 ** 2 * a ** 5 / 15
    run(PRM, ["Mesh/Global refinements=2"], output="out-full")
    full = statistics("out-full")
    print(f"full model: EM-mesh power {full['em_power_W']:.6f} W, on the tissue mesh "
          f"{full['power_eddy_W']:.6f} W, exact {exact:.6f} W, {full['em_minres_iterations']:.0f} MINRES iterations")
    check(abs(full["em_power_W"] - exact) <= 0.02 * exact, "EM-mesh power within 2%")
    check(abs(full["power_eddy_W"] - exact) <= 0.02 * exact, "tissue-mesh power within 2%")
    run(PRM, ["Mesh/Global refinements=2", "Electromagnetics/Model=quasi-static"], output="out-qs")
    quasi = statistics("out-qs")
    agreement = abs(full["power_eddy_W"] - quasi["power_eddy_W"]) / quasi["power_eddy_W"]
    check(agreement <= 0.02, f"full and quasi-static power agree: {agreement:.2e}")
    full_probes, quasi_probes = read_csv("out-full/probes.csv"), read_csv("out-qs/probes.csv")
    for name in ("r1", "r4", "tilted"):
        e_full, e_quasi = full_probes[f"{name}:E_amplitude"][-1], quasi_probes[f"{name}:E_amplitude"][-1]
        check(abs(e_full - e_quasi) <= 0.02 * e_quasi, f"|E| at {name}: full {e_full:.4f}, quasi-static {e_quasi:.4f} V/m")
elif part == "skin":
    conductor = ["Mesh/Layered sphere/Labels=3,3",
                 "Electromagnetics/Full eddy current/Mesh/Layered sphere/Labels=3,3,0,0",
                 f"Additional shared libraries={sys.argv[2]}",
                 "Electromagnetics/Full eddy current/Reference solution/Model=conducting sphere",
                 "Electromagnetics/Full eddy current/Reference solution/Conducting sphere/Radius=0.05",
                 f"Electromagnetics/Full eddy current/Reference solution/Conducting sphere/Conductivity={sigma_conductor}",
                 "Electromagnetics/Full eddy current/Reference solution/Conducting sphere/Outer radius=0.25"]
    omega = 2 * math.pi * 1e5
    exact, truncated = bessel_power(sigma_conductor, omega), bessel_power(sigma_conductor, omega, 5 * a)
    print(f"exact power {exact:.4f} W (unbounded air), {truncated:.4f} W (air truncated at 5a)")
    power_errors, hcurl, iterations = [], [], {}
    for level in (1, 2, 3):
        output = f"out-skin-{level}"
        run(PRM, conductor + [f"Electromagnetics/Full eddy current/Mesh/Global refinements={level}"], output=output)
        s = statistics(output)
        power_errors.append(abs(s["em_power_W"] - truncated) / truncated)
        hcurl.append(s["em_A_Hcurl_error"])
        iterations[(level, 1e5)] = int(s["em_minres_iterations"])
        print(f"level {level}: {s['em_edge_dofs']:.0f} edge DoFs, P = {s['em_power_W']:.3f} W "
              f"(vs truncated {power_errors[-1]:.2e}, vs unbounded {abs(s['em_power_W'] - exact) / exact:.2e}), "
              f"H(curl) error {hcurl[-1]:.3e}, tangential jump {s['em_tangential_jump']:.1e}")
        check(s["em_tangential_jump"] <= 1e-8, f"level {level}: Nedelec field tangentially continuous")
    check(abs(s["em_power_W"] - exact) <= 0.03 * exact, "power within 3% of the spherical-Bessel solution")
    power_orders, hcurl_orders = orders(power_errors), orders(hcurl)
    print("power orders", " ".join(f"{o:.2f}" for o in power_orders),
          "| H(curl) orders", " ".join(f"{o:.2f}" for o in hcurl_orders))
    check(abs(power_orders[-1] - 2) <= 0.2, f"power converges at order 2 ({power_orders[-1]:.2f})")
    check(abs(hcurl_orders[-1] - 1) <= 0.2, f"H(curl) error of order 1 ({hcurl_orders[-1]:.2f})")
    for frequency in (1e4, 1e6):
        for level in (1, 2, 3):
            output = f"out-skin-{level}-{frequency:g}"
            run(PRM, conductor + [f"Electromagnetics/Full eddy current/Mesh/Global refinements={level}",
                                  f"Electromagnetics/Frequency={frequency}"], output=output)
            iterations[(level, frequency)] = int(statistics(output)["em_minres_iterations"])
    print("MINRES iterations (refinement x frequency):")
    for level in (1, 2, 3):
        print(f"  level {level}: " + ", ".join(f"{f:g} Hz: {iterations[(level, f)]}" for f in (1e4, 1e5, 1e6)))
    check(12 <= min(iterations.values()) and max(iterations.values()) <= 32,
          f"MINRES iterations within the prototype's 12-32 (min {min(iterations.values())}, "
          f"max {max(iterations.values())})")
    run(PRM, conductor + ["Electromagnetics/Full eddy current/Mesh/Global refinements=2"], output="out-skin-np2", ranks=2)
    one, two = statistics("out-skin-2")["em_power_W"], statistics("out-skin-np2")["em_power_W"]
    check(abs(one - two) <= 1e-7 * one, f"1 and 2 ranks: {one:.9f} vs {two:.9f} W")
    run(PRM, conductor + ["Electromagnetics/Full eddy current/Mesh/Global refinements=2",
                          "Electromagnetics/Full eddy current/Solver=mumps"], output="out-skin-mumps", ranks=2)
    direct = statistics("out-skin-mumps")["em_power_W"]
    check(abs(one - direct) <= 1e-7 * direct, f"MINRES + AMS {one:.9f} W = MUMPS {direct:.9f} W")
else:
    sys.exit("usage: sphere_full.py tissue|skin")
finish()
