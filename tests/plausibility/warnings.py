"""Questionable results are reported, never a quiet exit 0: each case runs a small valid
case (tests/errors/base.prm) with one change and asserts the warning on screen, in log.txt
and counted in the `warnings` column of statistics.csv (1 and 2 ranks), and that a clean
run has none.
  hot:       an extra source heats the tissue above 100 C -> 'temperature outside the
             plausible range';
  session:   an AMF session after the end time and one cut by it;
  step:      a time step longer than the output interval is shortened (heat, transport);
  balance:   a balance threshold below round-off flags the heat-balance error;
  injection: an injection after the end time is not given;
  clean:     the base case: no warning."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

BASE = os.path.join(HERE, "errors", "base.prm")
CASES = {
    "hot": (["Heat/Additional heat source=2e7"], "temperature outside the plausible range",
            "outside the plausible range [0, 100] deg C"),
    "session": (["Treatment schedule/AMF sessions=5-30; 40-50"], "AMF session after the end",
                "the session 40-50 s starts at or after the End time (20 s) and is not applied"),
    "step": (["Heat/Time step=25"], "time step shortened",
             "Heat/Time step = 25 s is longer than the time between outputs"),
    "transport-step": (["Transport/Model=advection diffusion",
                        "Transport/Advection diffusion/Time step=25"], "time step shortened",
                       "Transport/Advection diffusion/Time step = 25 s is longer than the time between outputs"),
    "balance": (["Heat/Heat balance warning threshold=1e-300"], "heat balance",
                "the relative heat-balance error is"),
    "injection": (["Transport/Model=advection diffusion",
                   "Transport/Advection diffusion/Injections=30: 0, 0, 0, 1e-7, 112"],
                  "injection after the end", "the injection at t = 30 s comes at or after the End time"),
    "clean": ([], None, None),
}
mode = sys.argv[1]
overrides, kind, text = CASES[mode]
for ranks in (1, 2):
    output = f"out-{mode}-{ranks}"
    result = run(BASE, overrides, ranks=ranks, output=output)
    stats = read_csv(os.path.join(output, "statistics.csv"))
    with open(os.path.join(output, "log.txt")) as handle:
        log = handle.read()
    if kind is None:
        check(stats["warnings"][-1] == 0 and "Warning" not in result.stdout,
              f"{ranks} rank(s): a clean run has no warning")
        continue
    check(f"Warning ({kind}" in result.stdout and text in result.stdout,
          f"{ranks} rank(s): the warning '{kind}' on screen with '{text}'")
    check(text in log, f"{ranks} rank(s): the warning in log.txt")
    check(stats["warnings"][-1] >= 1, f"{ranks} rank(s): statistics.csv counts "
          f"{stats['warnings'][-1]:.0f} warning(s)")
    if mode == "session":
        check("the session 5-30 s is cut at the End time (20 s)" in result.stdout,
              f"{ranks} rank(s): the session cut by the end time is reported too")
    check("WARNINGS" in result.stdout, f"{ranks} rank(s): the summary lists the warnings")
    check(result.stdout.count(f"Warning ({kind})") == 1,
          f"{ranks} rank(s): printed once (repeats are only counted)")
finish()
