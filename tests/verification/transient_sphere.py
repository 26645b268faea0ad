"""Transient heated sphere (the steady case of heated_sphere.prm switched on at t = 0 from
the basal state, Q2, 300 s) at the DEFAULT solver settings: the algebraic error (default
run against a run with the linear solver at round-off) must be negligible against the
time-discretisation error (the change from dt to dt/2), the BDF2 time error must shrink
at second order and backward Euler's at first, and the heat balance must close to 1e-8."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "verification", "heated_sphere.prm")
COMMON = ["Heat/Finite element degree=2", "Treatment schedule/End time=300",
          "Output/Output interval=300", "Postprocess/List of postprocessors=probes",
          "Postprocess/Probes/Points=centre: 0, 0, 0"]


def centre_rise(scheme, dt, extra=()):
    output = f"out-{scheme.replace(' ', '-')}-{dt}{'-tight' if extra else ''}"
    run(PRM, COMMON + [f"Heat/Time stepping={scheme}", f"Heat/Time step={dt}"] + list(extra),
        output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    theta = read_csv(os.path.join(output, "probes.csv"))["centre:temperature"][-1] - 37
    return theta, stats


for scheme, steps, order in (("bdf2", (5, 2.5, 1.25), 2), ("backward euler", (2.5, 1.25, 0.625), 1)):
    theta, balance = [], []
    for dt in steps:
        value, stats = centre_rise(scheme, dt)
        theta.append(value)
        balance.append(max(stats["energy_balance_error"]))
        print(f"{scheme} dt = {dt} s: theta(0, 300 s) = {value:.12f} K, balance error "
              f"{balance[-1]:.2e}, {stats['linear_iterations'][-1]:.0f} CG iterations, "
              f"warnings {stats['warnings'][-1]:.0f}")
    tight, _ = centre_rise(scheme, steps[0], ["Heat/Linear solver/Relative tolerance=1e-14"])
    algebraic = abs(theta[0] - tight)
    time_error = abs(theta[0] - theta[1])
    print(f"{scheme}: algebraic error {algebraic:.3e} K, time-step change {time_error:.3e} K")
    check(algebraic <= 1e-4 * time_error,
          f"{scheme}: algebraic error {algebraic:.2e} K <= 1e-4 x time error {time_error:.2e} K")
    ratio = abs(theta[0] - theta[1]) / abs(theta[1] - theta[2])
    check(abs(ratio - 2 ** order) <= 0.3 * 2 ** order,
          f"{scheme}: time-error ratio {ratio:.3f} ~ {2 ** order} (order {order})")
    check(max(balance) <= 1e-8, f"{scheme}: heat balance error {max(balance):.2e} <= 1e-8")
finish()
