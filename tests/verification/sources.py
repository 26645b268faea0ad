"""Field-driven heat sources and the thermal dose in complete runs:
  - tabulated SLP: power = c * SLP(H) * V, linear interpolation between table rows and the
    H^2 law below the first row;
  - eddy heating of the function field model: 1/2 sigma |E|^2 * V;
  - 30 min at constant 45 C: CEM43 = 120 min and Omega = k(45 C) * 1800 s with the liver
    Arrhenius fit (k = 3.608313e-3 1/s), at a probe and as target statistics;
  - two sessions, the second at half the coil current: a quarter of the eddy power."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "verification", "sources.prm")
volume = 0.02 ** 3
steady = ["Heat/Time stepping=steady", "Treatment schedule/End time=0", "Treatment schedule/AMF sessions=always"]
for h, slp in ((7500, 200.0), (2500, 100.0 * 0.25), (15000, 600.0)):
    output = f"out-sources-{h}"
    run(PRM, steady + [f"Electromagnetics/Function/Field amplitude={h}"], output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    expected = 2 * slp * volume
    check(abs(stats["power_mnp_W"][-1] - expected) <= 1e-9 * expected,
          f"H = {h} A/m: MNP power {stats['power_mnp_W'][-1]:.12g} W = {expected:.12g} W")
    eddy = 0.5 * 0.5 * 100 ** 2 * volume
    check(abs(stats["power_eddy_W"][-1] - eddy) <= 1e-9 * eddy,
          f"eddy power {stats['power_eddy_W'][-1]:.12g} W = {eddy:.12g} W")

run(PRM, output="out-dose")
probes = read_csv(os.path.join("out-dose", "probes.csv"))
stats = read_csv(os.path.join("out-dose", "statistics.csv"))
check(abs(probes["inside:temperature"][-1] - 45) <= 1e-9, "the temperature stays at 45 C")
check(abs(probes["inside:thermal_dose_CEM43"][-1] - 120) <= 1e-9, f"CEM43 = {probes['inside:thermal_dose_CEM43'][-1]:.12g} = 120 min")
omega = 3.608313e-3 * 1800
check(abs(probes["inside:thermal_damage"][-1] - omega) <= 1e-6 * omega,
      f"Omega = {probes['inside:thermal_damage'][-1]:.9g} = {omega:.9g}")
check(abs(stats["target_CEM43_p90_min"][-1] - 120) <= 1e-9 and stats["target_damaged_fraction"][-1] == 1
      and abs(stats["CEM43T90_min"][-1] - 120) <= 1e-9, "target CEM43 p90, CEM43T90 = 120 min, all damaged")
# A coil-current scale per session: the eddy power follows the scale of each session
# (E ~ scale, power ~ scale^2), and nothing heats after the last one.
run(PRM, ["Treatment schedule/AMF sessions=0 + 60 s; 60 s + 60 s: 0.5", "Treatment schedule/End time=150",
          "Output/Output interval=30"], output="out-scaled")
stats = read_csv(os.path.join("out-scaled", "statistics.csv"))
row = {t: k for k, t in enumerate(stats["time_s"])}
full, half, off = row[30.0], row[90.0], row[150.0]
ratio = stats["power_eddy_W"][half] / stats["power_eddy_W"][full]
check(abs(ratio - 0.25) <= 1e-12, f"session at scale 0.5: eddy power ratio {ratio:.15f} = 0.25")
check(stats["power_eddy_W"][off] == 0 and stats["power_mnp_W"][off] == 0, "no heating after the sessions")
finish()
