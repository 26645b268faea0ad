"""Particle-borne cargo (Transport/Advection diffusion/Cargo).
  release  closed form: 1 mL of 112 mg Fe/mL spread over a 1 cm tumour box at a constant
           45 C (insulated, no diffusion), uptake k_up = 1e-4 1/s, no clearance. With
           k = k_0 + k_max/(1 + exp(-(T - T_m)/w)) the cargo on mobile particles is
           L0 exp(-(k_up + k) t), on bound ones L0 exp(-k t)(1 - exp(-k_up t)), the rest
           released. Errors at three transport steps and their order (BDF2).
  balance  every transport process on (magnet drift, uptake, clearance of mobile and
           bound iron, injections at two sites and over a region, a continuous source,
           intravenous iron, outflow boundaries) and a time-dependent heat source that
           crosses the release transition: loaded = on mobile + on bound + released +
           cleared + outflow to 1e-10 on 1 and 2 ranks; the two agree."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, orders, read_csv, run  # noqa: E402

K_UP = 1e-4  # 1/s
LOAD = 50.0  # nmol per mg Fe


def release_rate(T, k0=0.001, kmax=2.0, Tm=43.0, w=0.5):
    return (k0 + kmax / (1 + math.exp(-(T - Tm) / w))) / 3600.0


mode = sys.argv[1]
if mode == "release":
    prm = os.path.join(HERE, "immunotherapy", "uniform.prm")
    loaded = LOAD * 112.0  # 1 mL x 112 mg/mL x 50 nmol/mg
    k = release_rate(45.0)
    errors = []
    for step in ("10 min", "5 min", "150 s"):
        output = "out-cargo-release-" + step.replace(" ", "")
        run(prm, ["Immune/Model=none", "Heat/Arterial temperature=45", "Heat/Initial temperature=45",
                  "Transport/Model=advection diffusion",
                  "Transport/Advection diffusion/Diffusivity=0",
                  f"Transport/Advection diffusion/Uptake rate={K_UP}",
                  f"Transport/Advection diffusion/Time step={step}",
                  "Transport/Advection diffusion/Injections=0: tumour, 1e-6, 112",
                  "Transport/Advection diffusion/Cargo/Cargo=anti-PD-L1",
                  f"Transport/Advection diffusion/Cargo/Load={LOAD}",
                  "Treatment schedule/End time=2 h", "Output/Output interval=30 min"], output=output)
        stats = read_csv(os.path.join(output, "statistics.csv"))
        check(abs(stats["cargo_loaded_nmol"][-1] - loaded) <= 1e-12 * loaded,
              f"{step}: loaded {stats['cargo_loaded_nmol'][-1]:.12g} nmol = 112 mg Fe x 50 nmol/mg")
        worst = 0.0
        # The injection at t = 0 enters with the first step (after the t = 0 output).
        check(stats["cargo_loaded_nmol"][0] == 0, f"{step}: no cargo before the injection")
        for row, t in list(enumerate(stats["time_s"]))[1:]:
            mobile = loaded * math.exp(-(K_UP + k) * t)
            bound = loaded * math.exp(-k * t) * (1 - math.exp(-K_UP * t))
            released = loaded - mobile - bound
            for name, exact in (("cargo_on_mobile_nmol", mobile), ("cargo_on_bound_nmol", bound),
                                ("cargo_released_nmol", released)):
                worst = max(worst, abs(stats[name][row] - exact) / loaded)
            check(stats["cargo_balance_error"][row] <= 1e-10,
                  f"{step}, t = {t:g} s: balance {stats['cargo_balance_error'][row]:.1e} <= 1e-10")
        errors.append(worst)
        print(f"transport step {step}: largest error {worst:.3e} of the load "
              f"(released at 2 h: {stats['cargo_released_nmol'][-1]:.6g} nmol)")
    observed = orders(errors)
    print("observed orders:", ", ".join(f"{p:.2f}" for p in observed))
    check(observed[-1] >= 1.8, f"second order in the transport step ({observed[-1]:.2f} >= 1.8)")
    check(errors[-1] <= 2e-3, f"error at 150 s: {errors[-1]:.1e} <= 2e-3 of the load (measured 1.2e-3)")
elif mode == "balance":
    prm = os.path.join(HERE, "transport", "mass_balance.prm")
    overrides = ["Transport/Advection diffusion/Cargo/Cargo=anti-PD-L1",
                 f"Transport/Advection diffusion/Cargo/Load={LOAD}",
                 "Transport/Advection diffusion/Cargo/Release temperature=38",
                 "Transport/Advection diffusion/Boundary conditions=z_min: outflow; z_max: outflow",
                 "Heat/Additional heat source=5e4*exp(-(x^2+y^2+z^2)/1e-4)*(t < 400)"]
    run(prm, overrides, output="out-cargo-balance-1")
    run(prm, overrides, output="out-cargo-balance-2", ranks=2)
    one = read_csv("out-cargo-balance-1/statistics.csv")
    two = read_csv("out-cargo-balance-2/statistics.csv")
    worst = max(one["cargo_balance_error"] + two["cargo_balance_error"])
    check(worst <= 1e-10, f"loaded = carried + released + cleared + outflow to {worst:.1e} <= 1e-10")
    last = {name: one[name][-1] for name in one if name.startswith("cargo_")}
    print("final:", ", ".join(f"{name} {value:.6g}" for name, value in last.items()))
    check(one["T_max_C"][4] > 39, f"the heat source crosses the transition (T max {one['T_max_C'][4]:.2f} C)")
    for name in ("cargo_released_nmol", "cargo_outflow_nmol", "cargo_cleared_nmol", "cargo_on_bound_nmol"):
        check(last[name] > 1e-6 * last["cargo_loaded_nmol"], f"{name} takes part ({last[name]:.4g} nmol)")
        a, b = one[name][-1], two[name][-1]
        check(abs(a - b) <= 1e-8 * abs(a), f"1 and 2 ranks: {name} {a:.12g} vs {b:.12g}")
    loaded_iron = one["iron_injected_kg"][-1] + one["iron_sourced_kg"][-1]
    expected = LOAD * 1e6 * loaded_iron
    check(abs(one["cargo_loaded_nmol"][-1] - expected) <= 1e-9 * expected,
          f"loaded cargo {one['cargo_loaded_nmol'][-1]:.10g} = load x iron put in {expected:.10g} nmol")
else:
    sys.exit("usage: cargo.py release|balance")
finish()
