"""The 21-day treatment (prm/immunotherapy.prm) on 2 ranks: it finishes without warnings,
the heat and iron balances close, no species goes negative, the sessions commit and kill
tumour cells, the lymph node primes effectors that reach the tumour, the plasma follows
the three doses, and the summary reports the sessions' peaks (not those of the 6-h
outputs)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

DAY = 86400.0
result = run(os.path.join(HERE, "..", "prm", "immunotherapy.prm"), ranks=2, output="output-immunotherapy")
stats = read_csv("output-immunotherapy/statistics.csv")
check("WARNINGS" not in result.stdout and "Warning" not in result.stdout, "no warnings")
check(max(stats["energy_balance_error"]) <= 1e-8, f"heat balance {max(stats['energy_balance_error']):.1e} <= 1e-8")
check(max(stats["iron_mass_balance_error"]) <= 1e-8, "iron balance <= 1e-8")
species = [name[:-4] for name in stats if name.endswith("_min") and name[:-4] + "_max" in stats
           and not name.startswith("iron")]
worst = min(min(stats[f"{n}_min"]) / max(max(stats[f"{n}_max"]), 1e-300) for n in species)
check(worst >= -1e-12, f"no species negative (lowest {worst:.1e} of its peak)")
cells = stats["target_tumour_cells"]
check(min(cells) < 0.3 * cells[0], f"the sessions kill tumour cells ({cells[0]:.3g} -> {min(cells):.3g})")
day = lambda name, d: stats[name][stats["time_s"].index(d * DAY)]  # noqa: E731
check(day("blood_effectors_per_mm3", 7) > 10 and day("target_cd8_per_mm3", 7) > 100,
      f"primed effectors reach the tumour: {day('blood_effectors_per_mm3', 7):.1f}/mm^3 of blood, "
      f"{day('target_cd8_per_mm3', 7):.0f}/mm^3 in the tumour on day 7")
expected = sum(8300 / 3 * 2 ** (-(7.25 - d) / 27) for d in (1, 4, 7))
plasma = day("plasma_anti_pdl1_nM", 7.25)
check(abs(plasma / expected - 1) <= 1e-3, f"plasma on day 7.25 {plasma:.0f} nM, three doses {expected:.0f} nM")
peak = stats["T_peak_C"][-1]
check(peak > 42 and max(stats["T_max_C"]) < 39 and f"{peak:.4g} C" in result.stdout,
      f"the summary's peak temperature {peak:.4g} C is the sessions' (the 6-h outputs show {max(stats['T_max_C']):.4g} C)")
finish()
