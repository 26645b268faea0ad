"""A user plugin library: listed by --list-plugins when named in the parameter file, and
used in a run, where its SLP gives the expected MNP power (Q x tumour volume)."""
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, check, finish, read_csv, run  # noqa: E402

prm = sys.argv[1]
listing = subprocess.run([FERROTHERM, "--list-plugins", prm], capture_output=True, text=True)
check("'test quadratic'" in listing.stdout, "the plugin's name is registered")
run(prm, output="out-user-plugin")
stats = read_csv(os.path.join("out-user-plugin", "statistics.csv"))
expected = 1e5 * 4 / 3 * math.pi * 0.01 ** 3
check(abs(stats["power_mnp_W"][-1] - expected) <= 0.01 * expected,
      f"MNP power {stats['power_mnp_W'][-1]:.5f} W = 1e5 W/m^3 x tumour volume {expected:.5f} W (1%)")
finish()
