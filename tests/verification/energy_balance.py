"""Heat balance of the discrete system closes at the default solver settings (<= 1e-8
relative; the .prm sets no solver tolerance; the measured value is printed): adaptive BDF2
with rejected steps, fixed-step BDF2 (where the time-integrated storage must also match the
change of heat content) and steady. No warnings are raised."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

PRM = os.path.join(HERE, "verification", "energy_balance.prm")
# A large first step with a tight tolerance: the controller must reject steps, and the
# rejected attempts must leave no trace in the bookkeeping.
run(PRM, ["Heat/Time step=40", "Heat/Time step tolerance=0.005"], output="out-energy-transient")
stats = read_csv(os.path.join("out-energy-transient", "statistics.csv"))
for k, t in enumerate(stats["time_s"]):
    print(f"t = {t:5.0f} s: MNP {stats['energy_mnp_J'][k]:9.3f} J, perfusion out "
          f"{stats['energy_perfusion_out_J'][k]:9.3f} J, boundary out {stats['energy_boundary_out_J'][k]:9.3f} J, "
          f"stored {stats['energy_stored_J'][k]:9.3f} J, balance error {stats['energy_balance_error'][k]:.2e}, "
          f"steps {stats['heat_steps'][k]:.0f} (rejected {stats['heat_rejected_steps'][k]:.0f})")
check(max(stats["energy_balance_error"]) <= 1e-8,
      f"transient balance error {max(stats['energy_balance_error']):.2e} <= 1e-8")
check(stats["energy_mnp_J"][-1] > 10 and stats["newton_iterations"][-1] > 0,
      "the case exercises MNP heating and the Newton iteration")
check(stats["heat_rejected_steps"][-1] >= 1, "the adaptive controller rejected at least one step")
check(stats["warnings"][-1] == 0, "no warnings")

run(PRM, ["Heat/Adaptive time step=false", "Heat/Time step=2"], output="out-energy-fixed")
fixed = read_csv(os.path.join("out-energy-fixed", "statistics.csv"))
check(max(fixed["energy_balance_error"]) <= 1e-8,
      f"fixed-step balance error {max(fixed['energy_balance_error']):.2e} <= 1e-8")
stored, content = fixed["energy_stored_J"][-1], fixed["heat_content_change_J"][-1]
check(abs(stored - content) <= 2e-3 * abs(content),
      f"integrated storage {stored:.4f} J = heat content change {content:.4f} J within 0.2%")

run(PRM, ["Heat/Time stepping=steady", "Treatment schedule/End time=0"], output="out-energy-steady")
steady = read_csv(os.path.join("out-energy-steady", "statistics.csv"))
print(f"steady: MNP {steady['power_mnp_W'][-1]:.4f} W, perfusion out {steady['power_perfusion_out_W'][-1]:.4f} W, "
      f"boundary out {steady['power_boundary_out_W'][-1]:.4f} W, balance error {steady['energy_balance_error'][-1]:.2e}")
check(steady["energy_balance_error"][-1] <= 1e-8,
      f"steady balance error {steady['energy_balance_error'][-1]:.2e} <= 1e-8")
finish()
