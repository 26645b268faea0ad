"""Adaptive transport steps (Transport/Advection diffusion/Adaptive time step) on
adaptive_pulse.prm: a diffusing Gaussian pulse taken up at 3e-4 1/s, closed form
c = c0 sqrt(t0/(t+t0)) exp(-(x-x0)^2/(4D(t+t0))) exp(-kt).
  - the first 5 h, outputs every 15 min: at the default tolerance the L2 error relative to
    |c|_L2 stays within 1% at every output (fixed 10-s steps: the spatial error, 0.3% at
    t = 0), in a tenth of the fixed steps; the time error alone (probe values against the
    10-s run on the same mesh) falls with the tolerance;
  - two days, outputs every 6 h: once the iron is bound the steps grow to 'Maximum time
    step' (6 h), the whole run takes under 2% of the 17280 steps of 10 s (20 or fewer in
    the last 36 h), the mass balance
    closes to 1e-10 and the bound iron is the initial iron;
  - 2 ranks take the same steps and agree to 1e-9."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "transport", "adaptive_pulse.prm")
C0, D, T0, K = 10.0, 1e-9, 2000.0, 3e-4
SHORT = ["Treatment schedule/End time=5 h"]


def exact_norm(t):
    """|c|_L2 over the 1 mm x 1 mm cross-section."""
    peak = C0 * math.sqrt(T0 / (t + T0)) * math.exp(-K * t)
    return peak * (2 * math.pi * D * (t + T0)) ** 0.25 * 1e-3


def load(name, overrides, ranks=1):
    output = f"out-adaptive-{name}"
    run(PRM, overrides, output=output, ranks=ranks)
    return {f: read_csv(os.path.join(output, f + ".csv")) for f in ("statistics", "errors", "probes")}


fixed = load("fixed", SHORT + ["Transport/Advection diffusion/Adaptive time step=false"])
runs = {tol: load(tol, SHORT + ([f"Transport/Advection diffusion/Time step tolerance={tol}"]
                                if tol != "default" else []))
        for tol in ("1e-3", "default", "1e-5")}


def relative_errors(result):
    return [e / exact_norm(t) for t, e in zip(result["errors"]["time_s"], result["errors"]["L2_error"])]


fixed_worst = max(relative_errors(fixed))
default = runs["default"]
worst = max(relative_errors(default))
steps, fixed_steps = default["statistics"]["iron_transport_steps"][-1], fixed["statistics"]["iron_transport_steps"][-1]
print(f"fixed 10-s steps: {fixed_steps:.0f} steps, largest relative L2 error {fixed_worst:.2e}")
print(f"adaptive (1e-4): {steps:.0f} steps, largest relative L2 error {worst:.2e}")
check(worst <= 0.01, f"default tolerance: relative L2 error {worst:.2e} <= 1% at every output")
check(steps <= 0.1 * fixed_steps, f"{steps:.0f} adaptive steps <= a tenth of {fixed_steps:.0f}")
time_errors = {}
for tol, result in runs.items():
    time_errors[tol] = max(abs(a - b) / max(abs(b), 1e-300)
                           for name in ("centre:iron_mobile", "flank:iron_mobile")
                           for a, b in zip(result["probes"][name], fixed["probes"][name]))
    print(f"tolerance {tol}: {result['statistics']['iron_transport_steps'][-1]:.0f} steps, "
          f"{result['statistics']['iron_rejected_steps'][-1]:.0f} redone, time error at the probes "
          f"{time_errors[tol]:.2e} (relative to the 10-s run)")
ratios = (time_errors["1e-3"] / time_errors["default"], time_errors["default"] / time_errors["1e-5"])
check(min(ratios) > 2.5 and ratios[0] * ratios[1] > 10,
      f"the time error falls with the tolerance: / {ratios[0]:.1f}, / {ratios[1]:.1f} per factor 10 "
      "(tol^(2/3) for BDF2 with local error control: / 4.6)")

rest = load("rest", ["Output/Output interval=6 h"])
stats = rest["statistics"]
final_step, total_steps = stats["iron_time_step_s"][-1], stats["iron_transport_steps"][-1]
print(f"two days: {total_steps:.0f} steps, last step {final_step:.0f} s")
check(final_step == 6 * 3600, "at rest the steps reach 'Maximum time step' (6 h)")
check(total_steps < 0.02 * 17280, f"{total_steps:.0f} steps over two days (17280 at 10 s)")
at_12h = stats["iron_transport_steps"][stats["time_s"].index(43200.0)]
check(total_steps - at_12h <= 20, f"{total_steps - at_12h:.0f} steps over the last 36 h, at rest")
balance = max(stats["iron_mass_balance_error"])
check(balance <= 1e-10, f"mass balance {balance:.1e} <= 1e-10")
bound, injected = stats["iron_bound_kg"][-1], stats["iron_injected_kg"][-1]
check(abs(bound - injected) <= 1e-10 * injected, f"bound iron {bound:.12e} kg = initial {injected:.12e} kg")

two = load("rest-2", ["Output/Output interval=6 h"], ranks=2)["statistics"]
check(two["iron_transport_steps"] == stats["iron_transport_steps"], "2 ranks take the same steps")
difference = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(two["iron_bound_kg"], stats["iron_bound_kg"]))
check(difference <= 1e-9, f"2 ranks: bound iron agrees to {difference:.1e}")
finish()
