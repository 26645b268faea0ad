"""The targeted-delivery case (prm/targeted_anti_pdl1.prm) on 2 ranks: anti-PD-L1 carried
by magnetically targeted particles and released in one AMF session puts far more drug in
the tumour than the same dose given systemically; without the session the coating keeps
it; the cargo is conserved at the default tolerances; postprocess/compare_drug_delivery.py
reports the arms."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

prm = os.path.join(HERE, "..", "prm", "targeted_anti_pdl1.prm")
DOSE = 33.6  # nmol: 0.3 mL x 112 mg Fe/mL x 1 nmol/mg
arms = {
    "targeted": [],
    "systemic": ["Transport/Advection diffusion/Cargo/Cargo=none",
                 f"Immune/MNP immunotherapy/Anti-PD-L1/Doses=0: {DOSE}"],
    "targeted-no-amf": ["Treatment schedule/AMF sessions=never"],
}
stats = {}
for arm, overrides in arms.items():
    run(prm, overrides, ranks=2, output="output-" + arm)
    stats[arm] = read_csv(os.path.join("output-" + arm, "statistics.csv"))

targeted, systemic, idle = stats["targeted"], stats["systemic"], stats["targeted-no-amf"]
loaded = targeted["cargo_loaded_nmol"][-1]
check(abs(loaded - DOSE) <= 1e-9 * DOSE, f"the particles carry the systemic dose: {loaded:.10g} nmol")
plasma = systemic["plasma_anti_pdl1_nM"][1]
check(abs(plasma - DOSE / 3 * 2 ** (-2 / (27 * 24))) <= 1e-9 * DOSE / 3,
      f"systemic arm: {DOSE} nmol in 3 L, plasma at 2 h {plasma:.4f} nM")
released = targeted["cargo_released_nmol"]
after_session = released[stats["targeted"]["time_s"].index(4 * 3600.0)]
check(after_session >= 0.9 * loaded, f"the AMF session (2 h - 2.5 h) releases {after_session / loaded:.1%} of the cargo")
check(idle["cargo_released_nmol"][-1] <= 0.1 * loaded,
      f"without the session the coating keeps it: {idle['cargo_released_nmol'][-1] / loaded:.1%} released in 3 d at 37 C")
# The released drug washed out of the tumour by perfusion enters the plasma.
returned = targeted["plasma_anti_pdl1_nM"][-1] * 3
check(0.3 * released[-1] < returned < released[-1],
      f"targeted arm: {returned:.1f} nmol of the {released[-1]:.1f} nmol released reach the plasma by 3 d")
exposure = {arm: s["target_anti_pdl1_exposure_nM_d"][-1] for arm, s in stats.items()}
print("anti-PD-L1 exposure of the tumour over 3 d [nM d]:",
      ", ".join(f"{arm} {value:.4g}" for arm, value in exposure.items()))
check(exposure["targeted"] >= 10 * exposure["systemic"],
      f"targeted cargo puts more drug in the tumour: {exposure['targeted']:.4g} >= 10 x {exposure['systemic']:.4g} nM d")
check(exposure["targeted"] >= 5 * exposure["targeted-no-amf"],
      "on demand: the session releases it (exposure without AMF "
      f"{exposure['targeted-no-amf']:.4g} nM d)")
worst = max(targeted["cargo_balance_error"] + idle["cargo_balance_error"])
check(worst <= 1e-9, f"cargo conserved at the default tolerances: {worst:.1e} <= 1e-9")
report = subprocess.run([sys.executable, os.path.join(HERE, "..", "postprocess", "compare_drug_delivery.py"),
                         "output-targeted", "output-systemic"], capture_output=True, text=True)
print(report.stdout)
check(report.returncode == 0 and os.path.exists("output-targeted/drug_delivery.png"),
      "compare_drug_delivery.py reports both arms and plots them")
finish()
