"""Conducting sphere in a uniform 100 kHz field, quasi-static model: the eddy power within
2% (in fact to discretisation accuracy) of P = pi sigma omega^2 mu0^2 H0^2 a^5 / 15 on three
meshes, converging at order >= 2, and |E| = omega mu0 H0 rho / 2 at probes (0.1%)."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

mu0, sigma, h0, a, omega = 4e-7 * math.pi, 0.5, 1e4, 0.05, 2 * math.pi * 1e5
exact = math.pi * sigma * omega ** 2 * mu0 ** 2 * h0 ** 2 * a ** 5 / 15
errors = []
for level in (0, 1, 2):
    output = f"out-qs-{level}"
    run(os.path.join(HERE, "em", "sphere_quasi_static.prm"), [f"Mesh/Global refinements={level}"], output=output)
    power = read_csv(os.path.join(output, "statistics.csv"))["power_eddy_W"][-1]
    errors.append(abs(power - exact) / exact)
    print(f"level {level}: P = {power:.8f} W (exact {exact:.8f}), relative error {errors[-1]:.2e}")
check(errors[-1] <= 0.02, f"power within 2%: {errors[-1]:.2e}")
observed = orders(errors)
print("orders:", " ".join(f"{o:.2f}" for o in observed))
check(observed[-1] >= 1.8, f"power error converges at order >= 1.8 ({observed[-1]:.2f})")
probes = read_csv(os.path.join(output, "probes.csv"))
for name, rho in (("r1", 0.01), ("r4", 0.04), ("tilted", 0.03)):
    expected = omega * mu0 * h0 * rho / 2
    value = probes[f"{name}:E_amplitude"][-1]
    check(abs(value - expected) <= 1e-3 * expected, f"|E| at {name}: {value:.5f} vs {expected:.5f} V/m")
    check(abs(probes[f"{name}:H_amplitude"][-1] - h0) <= 1e-9 * h0, f"|H| at {name} = H0")
finish()
