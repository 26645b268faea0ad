"""AMF sessions at their own frequencies (session_frequency.prm: 10 min at 100 kHz, then
10 min at 300 kHz, on a muscle sphere in a uniform field, magneto-quasi-static):
  - the second session's eddy-current power is the first one's times
    (f2/f1)^2 sigma(f2)/sigma(f1), with sigma from the Gabriel Cole-Cole model evaluated
    here independently from prm/gabriel-cole-cole-parameters.tsv (a uniform sphere: the
    scalar potential does not depend on sigma), and each is within the discretisation
    error of the closed form P = pi sigma omega^2 mu0^2 H0^2 a^5 / 15;
  - every field, SLP and safety column of each session equals a run at that session's
    frequency alone (Electromagnetics/Frequency), to 1e-12;
  - the same schedule written the other way round (Frequency = 300 kHz, the first
    session '100 kHz') gives the same run, every column to 1e-12 from the first step on.
tests/checkpoint/restart.prm switches frequency between two sessions, so the restart
tests resume in a session at another frequency than Electromagnetics/Frequency."""
import cmath
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "em", "session_frequency.prm")
EPS0, MU0, H0, A = 8.8541878128e-12, 4e-7 * math.pi, 1e3, 0.05


def gabriel_conductivity(tissue, frequency):
    """sigma = -omega eps0 Im eps_hat of the four-pole Cole-Cole model (Gabriel 1996)."""
    path = os.path.join(HERE, "..", "prm", "gabriel-cole-cole-parameters.tsv")
    rows = [line.rstrip("\n").split("\t") for line in open(path) if not line.startswith("#")]
    header, table = rows[0], {row[0]: row for row in rows[1:]}
    p = dict(zip(header, table[tissue]))
    w = 2 * math.pi * frequency
    eps = float(p["ef"]) + float(p["sig_S_per_m"]) / (1j * w * EPS0)
    for n, unit in ((1, 1e-12), (2, 1e-9), (3, 1e-6), (4, 1e-3)):
        tau = float(p[f"tau{n}_{['ps', 'ns', 'us', 'ms'][n - 1]}"]) * unit
        eps += float(p[f"del{n}"]) / (1 + (1j * w * tau) ** (1 - float(p[f"alf{n}"])))
    return -w * EPS0 * eps.imag


def closed_form_power(frequency):
    w = 2 * math.pi * frequency
    return math.pi * gabriel_conductivity("Muscle", frequency) * w**2 * MU0**2 * H0**2 * A**5 / 15


def load(name, overrides=()):
    output = f"out-session-frequency-{name}"
    run(PRM, list(overrides), output=output)
    return read_csv(os.path.join(output, "statistics.csv")), open(os.path.join(output, "log.txt")).read()


two, log = load("two")
reverse, _ = load("reverse", ["Electromagnetics/Frequency=300e3",
                              "Treatment schedule/AMF sessions=0-600: 100 kHz; 600-1200"])
at_100, _ = load("100k", ["Treatment schedule/AMF sessions=0-1200"])
at_300, _ = load("300k", ["Electromagnetics/Frequency=300e3", "Treatment schedule/AMF sessions=0-1200"])

times = two["time_s"]
first = [k for k, t in enumerate(times) if 0 < t <= 600]
second = [k for k, t in enumerate(times) if t > 600]
check(all(two["frequency_Hz"][k] == 1e5 for k in first) and
      all(two["frequency_Hz"][k] == 3e5 for k in second), "frequency_Hz: 100 kHz, then 300 kHz")
check(log.count("runs at 300000 Hz") == 1, "one new field solve, at the start of the second session")

p1, p2 = two["power_eddy_W"][first[-1]], two["power_eddy_W"][second[0]]
expected_ratio = 9 * gabriel_conductivity("Muscle", 3e5) / gabriel_conductivity("Muscle", 1e5)
print(f"sigma muscle {gabriel_conductivity('Muscle', 1e5):.5f} -> {gabriel_conductivity('Muscle', 3e5):.5f} S/m")
check(abs(p2 / p1 - expected_ratio) <= 1e-9 * expected_ratio,
      f"eddy power ratio {p2 / p1:.10f}, (f2/f1)^2 sigma2/sigma1 = {expected_ratio:.10f}")
for power, f in ((p1, 1e5), (p2, 3e5)):
    exact = closed_form_power(f)
    error = abs(power - exact) / exact
    check(error <= 0.03, f"{f / 1e3:.0f} kHz: P = {power:.6e} W, closed form {exact:.6e} W "
          f"(error {error:.2e}, the discretisation's; <= 3%)")


def agree(a, b, rows_a, rows_b, columns, what, tolerance=1e-12):
    worst = 0.0
    for column in columns:
        scale = max(max(abs(v) for v in a[column]), 1e-300)
        worst = max([worst] + [abs(a[column][i] - b[column][j]) / scale for i, j in zip(rows_a, rows_b)])
    check(worst <= tolerance, f"{what}: largest difference {worst:.1e} of the column's magnitude")


field_columns = [c for c in two if c.startswith(("power_eddy", "power_mnp", "eddy_power", "H_max",
                                                  "E_max", "Hf_", "frequency", "healthy_eddy"))]
print("compared:", ", ".join(field_columns))
agree(two, at_100, first, first, field_columns, "first session = a run at 100 kHz")
agree(two, at_300, second, second, field_columns, "second session = a run at 300 kHz")
columns = [c for c in two if c != "wall_time_s"]
# From the first step on (the t = 0 row reports the field model as set up, at
# Electromagnetics/Frequency).
agree(two, reverse, range(1, len(times)), range(1, len(times)), columns,
      "Frequency 300 kHz with a '100 kHz' first session: the same run")
finish()
