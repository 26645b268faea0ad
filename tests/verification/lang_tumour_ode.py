"""Pennes heat with Lang et al.'s (1999) tumour perfusion through its 42 C break point, in a
uniform insulated box of tumour heated by a constant SLP (24 W/g on 2 mg Fe/mL = 48 kW/m^3)
for 30 min: T is uniform, so the PDE is the ODE
    rho c dT/dt = -c_b W(T) (T - T_a) + Q(t),
integrated here independently by SciPy (Radau, rtol 1e-12, piecewise between the switches).
The adaptive BDF2 steps cross 42 C on the way up and down. There the chord-Newton iteration
can stall (the slope of W jumps from -0.40 kg/(m^3 s K) to 0, and just below 42 C the
perfusion loss W (T - T_a) falls as T rises, so the ODE is locally unstable): the stepper
retries such a step at a quarter of its length instead of stopping (it stopped before).
'Heat/Time step tolerance' bounds the local error per step; the global error here is a few
times it and falls with it."""
import os
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

RHO_C, C_B, Q, T_A = 4e6, 3617.0, 24e3 * 2.0, 37.0
ON, OFF, END = 7200.0, 9000.0, 6 * 3600.0


def lang_tumour(t):
    return 0.833 - (min(max(t, 37.0), 42.0) - 37) ** 4.8 / 5438


def rhs(t, y, heated):
    heating = Q if heated else 0.0
    return [(-C_B * lang_tumour(y[0]) * (y[0] - T_A) + heating) / RHO_C]


def reference_solution(times):
    """The ODE integrated piecewise between the source switches (dense output)."""
    values, start = np.empty_like(times), T_A
    for a, b in ((0, ON), (ON, OFF), (OFF, END)):
        piece = solve_ivp(rhs, (a, b), [start], method="Radau", rtol=1e-12, atol=1e-12,
                          dense_output=True, args=(ON <= a < OFF,))
        inside = (times >= a) & (times <= b)
        values[inside] = piece.sol(times[inside])[0]
        start = piece.y[0, -1]
    return values


base = ["Tissues/Database=../data/tissues-verification.csv",
        "Tissues/Property overrides=tumour: perfusion_model=lang tumour",
        "Mesh/Model=box", "Mesh/Box/Label=2", "Mesh/Box/Upper corner=0.01, 0.01, 0.01",
        "Electromagnetics/Uniform/Field amplitude=5000", "Heating/Model=constant",
        "Heating/Constant/Specific loss power=24e3",
        "Transport/Model=prescribed", "Transport/Prescribed/Iron by label=2: 2",
        "Treatment schedule/AMF sessions=2 h + 30 min", f"Treatment schedule/End time={END}",
        "Heat/Adaptive time step=true", "Heat/Time step=10", "Heat/Maximum time step=1 h",
        "Output/Output interval=30 min"]
errors, total_retries = {}, 0
for tolerance, interval in (("0.05", "10 min"), ("0.05", "30 min"), ("0.01", "30 min")):
    output = f"out-lang-ode-{tolerance}-{interval.replace(' ', '')}"
    extra = [f"Output/Output interval={interval}"]
    if tolerance != "0.05":  # 0.05 K is the default
        extra.append(f"Heat/Time step tolerance={tolerance}")
    run(os.path.join(HERE, "errors", "base.prm"), base + extra, output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    times = np.array(stats["time_s"])
    reference = reference_solution(times)
    T = np.array(stats["T_mean_tumour_C"])
    spread = max(abs(a - b) for a, b in zip(stats["T_max_tumour_C"], stats["T_min_tumour_C"]))
    error = errors[tolerance, interval] = np.max(np.abs(T - reference))
    retries = stats["heat_newton_retries"][-1]
    total_retries += retries
    print(f"tolerance {tolerance} K, outputs every {interval}: peak {max(stats['T_peak_C']):.4f} C "
          f"(reference {reference.max():.4f}), max |T - T_ref| {error:.3e} K, "
          f"{stats['heat_steps'][-1]:.0f} steps, {stats['heat_rejected_steps'][-1]:.0f} rejected "
          f"({retries:.0f} Newton retries); spread over the box {spread:.1e} K")
    check(spread <= 1e-8, "T stays uniform (the PDE is the ODE)")
    check(reference.max() > 45 and T[-1] < 40, "the run crosses 42 C both ways")
    check(stats["energy_balance_error"][-1] <= 1e-8,
          f"heat balance {stats['energy_balance_error'][-1]:.1e} <= 1e-8")
    check(error <= 6 * float(tolerance), f"error {error:.3e} <= 6 x the step tolerance")
check(errors["0.05", "10 min"] <= 0.1, "default, 10-min outputs: error <= 0.1 K")
check(total_retries >= 1, f"{total_retries:.0f} stalled Newton iteration(s) retried, not fatal")
ratio = errors["0.05", "30 min"] / errors["0.01", "30 min"]
check(ratio >= 3, f"tolerance / 5 -> error / {ratio:.1f} (>= 3)")
finish()
