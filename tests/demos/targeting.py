"""The targeting demo (prm/targeting.prm) runs on 2 ranks and reports what it promises:
the injected iron equals 0.3 mL x 112 mg/mL, mass is conserved through magnet, uptake and
clearance, most iron stays in the tumour, the AMF session heats the tumour into the
hyperthermia range, and the summary prints the kept fraction and the tumour T90."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run

prm = os.path.join(HERE, "..", "prm", "targeting.prm")
result = run(prm, ranks=2, output="output-targeting")
statistics = read_csv("output-targeting/statistics.csv")

injected = statistics["iron_injected_kg"][-1]
check(abs(injected - 0.3e-6 * 112.0) < 1e-9 * 3.36e-5, f"injected iron {injected:.6e} kg = 0.3 mL x 112 mg/mL")
balance = max(abs(e) for e in statistics["iron_mass_balance_error"])
check(balance < 1e-7, f"largest relative iron mass error {balance:.2e} < 1e-7")
fraction = statistics["iron_target_fraction"][-1]
check(0.9 < fraction <= 1.0, f"iron kept in the tumour {fraction:.4f} in (0.9, 1]")
peak_t90 = max(statistics["target_T90_C"])
check(41.0 < peak_t90 < 46.0, f"peak tumour T90 {peak_t90:.2f} C in the hyperthermia range (41, 46)")
check(statistics["target_T90_C"][-1] < peak_t90 - 2.0, "the tumour cools after the AMF session")
check("iron kept in the target" in result.stdout and "peak target T90" in result.stdout,
      "the summary prints the kept iron fraction and the tumour T90")
finish()
