"""Boundary data as expressions of x, y, z, t (tests/boundary).
  heat Q1|Q2: manufactured transient solution with a time-dependent fixed temperature,
              heat fluxes and a convective face (h(x), T_inf(x, t)): L2 orders 2 / 3 +- 0.2
              over three meshes, the balance error <= 1e-8 and the same error on 2 ranks;
  balance:    heat balance with time- and space-dependent data of every kind: adaptive
              BDF2 with rejections on the manufactured case (<= 1e-8, 1 and 2 ranks) and
              with Newton perfusion and temperature-dependent SLP (energy_balance_in_time);
  transport:  fixed concentrations c(x, t): the exact c = A (x^2 + 2 D t) (Q2 to solver
              tolerance, Q1 at the nodes), the inflow 2 A D L t in the bookkeeping, 1 and 2
              ranks; a step c(0, t) = 1 against c = erfc(x / (2 sqrt(D t))); mass balance."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

HEAT = os.path.join(HERE, "boundary", "heat_mms.prm")
BALANCE = os.path.join(HERE, "boundary", "energy_balance_in_time.prm")
TRANSPORT = os.path.join(HERE, "boundary", "transport_fixed.prm")


def results(prm, label, overrides, ranks=1):
    output = f"out-{label}"
    run(prm, overrides, output=output, ranks=ranks)
    errors = os.path.join(output, "errors.csv")
    return (read_csv(errors) if os.path.exists(errors) else None,
            read_csv(os.path.join(output, "statistics.csv")))


mode = sys.argv[1]
if mode == "heat":
    degree = int(sys.argv[2][1])
    cells = [8, 16, 32] if degree == 1 else [4, 8, 16]
    errors = []
    for n in cells:
        table, stats = results(HEAT, f"heat-Q{degree}-{n}", [f"Heat/Finite element degree={degree}",
                                                             f"Mesh/Box/Subdivisions={n},{n},1"])
        errors.append(table["L2_error"][-1])
        balance = max(stats["energy_balance_error"])
        print(f"h = L/{n}: L2 error {errors[-1]:.4e}, balance error {balance:.2e}")
        check(balance <= 1e-8, f"h = L/{n}: heat balance error {balance:.2e} <= 1e-8")
    observed = orders(errors)
    print("L2 orders:", " ".join(f"{o:.3f}" for o in observed))
    p = degree + 1
    check(all(abs(o - p) <= 0.2 for o in observed), f"every L2 order = {p} +- 0.2")
    # Relative to the amplitude A = 5 K of the solution: the data are met to the order.
    bound = 1e-5 if degree == 1 else 5e-7
    check(errors[-1] <= bound, f"finest L2 error {errors[-1]:.3e} <= {bound:.0e}")
    table, _ = results(HEAT, f"heat-Q{degree}-2ranks", [f"Heat/Finite element degree={degree}",
                                                       f"Mesh/Box/Subdivisions={cells[1]},{cells[1]},1"],
                       ranks=2)
    check(abs(table["L2_error"][-1] - errors[1]) <= 1e-6 * errors[1],
          f"2 ranks: L2 error {table['L2_error'][-1]:.6e} = {errors[1]:.6e} of 1 rank")
elif mode == "balance":
    # Data that are not polynomial in t (the error is no longer exact in time, but the
    # bookkeeping must be), adaptive steps that are rejected.
    data = ["Heat/Boundary conditions=x_min: fixed temperature Ta + 3*sin(q*y + c0)*(1 - exp(-t/30)); "
            "x_max: heat flux 2000*sin(pi*t/50)*cos(p*L + q*y); "
            "y_min: convective h0 + h1*x, 20 + 10*cos(pi*t/40)*exp(-x/L)",
            "Heat/Adaptive time step=true", "Heat/Time step=20", "Heat/Time step tolerance=0.002",
            "Output/Output interval=25"]
    for ranks in (1, 2):
        _, stats = results(HEAT, f"balance-{ranks}", data + ["Heat/Finite element degree=2"], ranks=ranks)
        balance = max(stats["energy_balance_error"])
        print(f"{ranks} rank(s): balance errors", " ".join(f"{e:.1e}" for e in stats["energy_balance_error"]),
              f"steps {stats['heat_steps'][-1]:.0f} (rejected {stats['heat_rejected_steps'][-1]:.0f}), "
              f"boundary out {stats['energy_boundary_out_J'][-1]:.4f} J")
        check(balance <= 1e-8, f"{ranks} rank(s): balance error {balance:.2e} <= 1e-8")
        check(stats["heat_rejected_steps"][-1] >= 1, f"{ranks} rank(s): the controller rejected a step")
    _, stats = results(BALANCE, "balance-nonlinear", [])
    balance = max(stats["energy_balance_error"])
    print("Newton perfusion, T-dependent SLP: balance errors",
          " ".join(f"{e:.1e}" for e in stats["energy_balance_error"]))
    check(balance <= 1e-8, f"nonlinear case: balance error {balance:.2e} <= 1e-8")
    check(stats["newton_iterations"][-1] > 0 and stats["heat_rejected_steps"][-1] >= 1,
          "the nonlinear case uses Newton and rejects steps")
elif mode == "transport":
    area, L, A, D = 1e-6, 0.01, 1e4, 1e-9
    for degree, ranks in ((1, 1), (2, 1), (2, 2)):
        table, stats = results(TRANSPORT, f"transport-Q{degree}-{ranks}",
                               [f"Heat/Finite element degree={degree}"], ranks=ranks)
        t = stats["time_s"][-1]
        label = f"Q{degree}, {ranks} rank(s)"
        nodal, l2 = table["max_nodal_error"][-1], table["L2_error"][-1]
        print(f"{label}: L2 error {l2:.3e}, max nodal error {nodal:.3e}, inflow "
              f"{stats['iron_boundary_in_kg'][-1]:.6e} kg, mass balance {stats['iron_mass_balance_error'][-1]:.1e}")
        check(nodal <= 1e-6, f"{label}: nodal error {nodal:.2e} <= 1e-6 (c ~ 1 kg/m^3)")
        if degree == 2:
            check(l2 <= 1e-10, f"{label}: L2 error {l2:.2e} <= 1e-10 (c is in the Q2 space)")
        inflow = 2 * A * D * L * t * area
        check(abs(stats["iron_boundary_in_kg"][-1] - inflow) <= 1e-6 * inflow,
              f"{label}: boundary inflow {stats['iron_boundary_in_kg'][-1]:.6e} = 2 A D L t = {inflow:.6e} kg")
        check(stats["iron_mass_balance_error"][-1] <= 1e-8,
              f"{label}: mass balance error {stats['iron_mass_balance_error'][-1]:.1e} <= 1e-8")
    # A step at x = 0 into a long box (semi-infinite over 2 sqrt(D t) = 2.8 mm).
    points = (0.001, 0.002, 0.003)
    _, stats = results(TRANSPORT, "transport-erfc", [
        "Heat/Finite element degree=2", "Mesh/Box/Subdivisions=50,1,1",
        "Transport/Advection diffusion/Initial concentration=0",
        "Transport/Advection diffusion/Boundary conditions=x_min: fixed concentration 1",
        "Transport/Advection diffusion/Time step=10", "Treatment schedule/End time=2000",
        "Output/Output interval=2000", "Postprocess/List of postprocessors=probes",
        "Postprocess/Probes/Points=" + "; ".join(f"p{k}: {x}, 0.0005, 0.0005" for k, x in enumerate(points))])
    probes = read_csv(os.path.join("out-transport-erfc", "probes.csv"))
    for k, x in enumerate(points):
        exact = math.erfc(x / (2 * math.sqrt(D * 2000)))
        value = probes[f"p{k}:iron_mobile"][-1]
        check(abs(value - exact) <= 2e-5, f"c({x * 1e3:.0f} mm, 2000 s) = {value:.6f} = erfc = {exact:.6f} +- 2e-5")
    check(stats["iron_mass_balance_error"][-1] <= 1e-8,
          f"step: mass balance error {stats['iron_mass_balance_error'][-1]:.1e} <= 1e-8")
    # All but the initial iron of the boundary nodes (c = 1 there at t = 0) came in.
    check(stats["iron_boundary_in_kg"][-1] > 0.95 * stats["iron_mobile_kg"][-1],
          f"step: {stats['iron_boundary_in_kg'][-1]:.4e} kg of the {stats['iron_mobile_kg'][-1]:.4e} kg "
          "in the box came in through the boundary")
else:
    sys.exit("usage: boundary.py heat Q1|Q2 | balance | transport")
finish()
