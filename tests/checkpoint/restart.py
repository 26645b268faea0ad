"""Checkpoint/restart of tests/checkpoint/restart.prm (every layer on: magnetophoresis
and uptake, quasi-static EM, adaptive BDF2 heat with Newton, the custom immune model,
probes, ParaView output; a checkpoint every 200 s of simulated time):
  kill9 A B   a run on A ranks killed with SIGKILL at a random moment after its first
              checkpoint, resumed with Resume = auto on B ranks: statistics.csv and
              probes.csv equal the uninterrupted A-rank run, row for row (no duplicated
              or missing rows). Same ranks: 1e-8 relative in every value (values below
              1e-3 of their column's largest relative to that); solver iteration counts
              within 2 (the loaded mesh numbers cells and DoFs in another order than
              the refined one, so sums differ at round-off; in the basal phase of an
              adaptive run the step controller carries that to ~1e-9);
              preconditioner_setups may grow by one per restart; the round-off-sized
              balance errors stay below 1e-8.
              Other ranks: the block-ILU preconditioner changes with the partition, so
              the A- and B-rank runs differ at solver tolerance; the resumed run must
              differ from the A-rank run by no more than 1e-10 of the column's magnitude
              or 3 times the A-to-B difference of the uninterrupted runs (iteration counts
              are not compared). Every run closes its iron and heat balances to 1e-8.
  sigterm     SIGTERM mid-run: exit 143, a complete checkpoint at the time of the last
              statistics row, and the resumed run finishes identically
  parameters  a resumed run with a changed physics parameter is refused naming it; a
              longer End time continues the finished run as if it had been one run
  unwritable  a checkpoint that cannot be written is an error naming the path, exit 1
  restart.py CASE [A B]"""
import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, HERE, MPIEXEC, check, finish  # noqa: E402

PRM = os.path.join(HERE, "checkpoint", "restart.prm")
NOT_COMPARED = {"wall_time_s"}


def command(output, overrides=(), ranks=1):
    line = [FERROTHERM, PRM]
    for override in list(overrides) + [f"Output/Output directory={output}"]:
        line += ["--set", override]
    if ranks > 1:
        line = [MPIEXEC, "-np", str(ranks), "--oversubscribe"] + line
    return line


def run(output, overrides=(), ranks=1, fresh=True):
    if fresh:
        shutil.rmtree(output, ignore_errors=True)
    result = subprocess.run(command(output, overrides, ranks), capture_output=True,
                            text=True, timeout=600)
    return result.returncode, result.stdout + result.stderr


def rows(path):
    with open(path, newline="") as handle:
        table = list(csv.reader(handle))
    return table[0], [[float(value) for value in row] for row in table[1:]]


def complete_checkpoints(output):
    directory = os.path.join(output, "checkpoints")
    if not os.path.isdir(directory):
        return []
    return sorted(name for name in os.listdir(directory)
                  if "." not in name and os.path.exists(os.path.join(directory, name, "state.bin")))


def column_differences(expected, found, header):
    """Largest |a - b| per column."""
    return {name: max(abs(a[k] - b[k]) for a, b in zip(expected, found))
            for k, name in enumerate(header)}


def compare(reference, resumed, file, other_ranks=None):
    """resumed against reference; other_ranks: the uninterrupted run on the ranks the
    resumed run ended on (None: the same ranks, compared value by value)."""
    header, expected = rows(os.path.join(reference, file))
    header_resumed, found = rows(os.path.join(resumed, file))
    check(header == header_resumed, f"{file}: the same columns")
    times = [row[0] for row in expected]
    check([row[0] for row in found] == times,
          f"{file}: the same {len(times)} output times, none duplicated or missing")
    if header != header_resumed or len(found) != len(expected):
        return
    partition = None
    if other_ranks is not None:
        partition = column_differences(expected, rows(os.path.join(other_ranks, file))[1], header)
    worst, where = 0.0, ""  # same ranks: relative difference; else: ratio to the bound
    for k, name in enumerate(header):
        if name in NOT_COMPARED:
            continue
        if name == "preconditioner_setups":
            check(all(b[k] >= a[k] for a, b in zip(expected, found)),
                  f"{file}: preconditioner set-ups continue their count")
            continue
        # Balance errors are quotients of round-off (checked below to be < 1e-8).
        if name.endswith("balance_error") or \
                (partition is not None and ("iterations" in name or "substeps" in name)):
            continue
        scale = max(abs(row[k]) for row in expected) or 1.0
        if partition is None and ("iterations" in name or "substeps" in name):
            # Round-off differences (see below) may move an iteration count by one.
            moved = max(abs(a[k] - b[k]) for a, b in zip(expected, found))
            check(moved <= 2, f"{file}: {name} within 2 of the uninterrupted run ({moved:.0f})")
            continue
        for a, b in zip(expected, found):
            if partition is None:
                # relative, but values below 1e-3 of the column's largest (a quantity
                # passing through zero) relative to that
                difference = abs(a[k] - b[k]) / max(abs(a[k]), abs(b[k]), 1e-3 * scale, 1e-300)
            else:
                difference = abs(a[k] - b[k]) / max(1e-10 * scale, 3 * partition[name])
            if difference > worst:
                worst, where = difference, f"{name} at t = {a[0]}"
    if partition is not None:
        relative = max((partition[name] / (max(abs(row[k]) for row in expected) or 1.0), name)
                       for k, name in enumerate(header) if name not in NOT_COMPARED and
                       "iterations" not in name and "setups" not in name and
                       not name.endswith("balance_error"))
        print(f"{file}: the uninterrupted runs on the two rank counts differ by up to "
              f"{relative[0]:.1e} of the column ({relative[1]})", flush=True)
    if partition is None:
        # Every value is restored exactly, but the loaded mesh enumerates its cells and
        # DoFs in the p4est forest's order, not in the order the refinement created
        # them: sums run in another order (differences of 1e-16). In the basal phase
        # of the adaptive BDF2 run the step-size controller acts on round-off and
        # carries that to ~1e-9 by the end; from later checkpoints it stays below
        # the 15 printed digits.
        check(worst <= 1e-8, f"{file}: largest relative difference {worst:.2e} "
              f"({where or '-'}) <= 1e-8")
    else:
        check(worst <= 1, f"{file}: largest difference {worst:.2f} ({where or '-'}) of "
              "max(1e-10 of the column, 3x the difference between the ranks) <= 1")
    for name in ("energy_balance_error", "iron_mass_balance_error"):
        if name in header:
            k = header.index(name)
            largest = max(abs(row[k]) for row in found)
            check(largest < 1e-8, f"{file}: {name} of the resumed run {largest:.1e} < 1e-8")
            largest = max(abs(row[k]) for row in expected)
            check(largest < 1e-8, f"{file}: {name} of the reference run {largest:.1e} < 1e-8")


def kill_tree(pid):
    """SIGKILL to a process and all its descendants (mpirun and its ranks: a node lost)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                pass
    pending, tree = [pid], []
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children.get(current, [])
    for member in reversed(tree):
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def reference_run(ranks):
    output = os.path.abspath(f"reference-{ranks}")
    code, text = run(output, ranks=ranks)
    check(code == 0, f"uninterrupted run on {ranks} rank(s)" + ("" if code == 0 else "\n" + text))
    return output


def kill9(ranks_before, ranks_after):
    reference = reference_run(ranks_before)
    output = os.path.abspath(f"killed-{ranks_before}-{ranks_after}")
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for attempt in range(5):
        shutil.rmtree(output, ignore_errors=True)
        process = subprocess.Popen(command(output, ["Checkpoint/Resume=auto"], ranks_before),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not complete_checkpoints(output) and process.poll() is None:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6 / (attempt + 1)))
        if process.poll() is None:
            kill_tree(process.pid)
            process.wait()
            time.sleep(0.2)
            break
        process.wait()
    else:
        sys.exit("FAILED: the run always finished before the kill")
    present = complete_checkpoints(output)
    print(f"seed {seed}: killed after the checkpoint(s) {present}", flush=True)
    code, text = run(output, ["Checkpoint/Resume=auto"], ranks_after, fresh=False)
    check(code == 0 and "Resuming from" in text,
          f"resumed with Resume = auto on {ranks_after} rank(s)" + ("" if code == 0 else "\n" + text))
    other = None if ranks_before == ranks_after else reference_run(ranks_after)
    for file in ("statistics.csv", "probes.csv", "target_temperature_volume.csv"):
        compare(reference, output, file, other)
    with open(os.path.join(output, "solution.pvd")) as handle:
        pvd = handle.read()
    check(pvd.count("<DataSet") == 13, "solution.pvd lists each of the 13 outputs once")


def sigterm():
    reference = reference_run(1)
    output = os.path.abspath("sigterm")
    shutil.rmtree(output, ignore_errors=True)
    process = subprocess.Popen(command(output), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    while not os.path.exists(os.path.join(output, "statistics.csv")) or \
            len(open(os.path.join(output, "statistics.csv")).read().splitlines()) < 5:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    text, _ = process.communicate(timeout=120)
    check(process.returncode == 128 + 15, f"SIGTERM: exit code {process.returncode} == 143")
    header, written = rows(os.path.join(output, "statistics.csv"))
    last = written[-1][0]
    newest = complete_checkpoints(output)[-1]
    with open(os.path.join(output, "checkpoints", newest, "info.txt")) as handle:
        stored = float(handle.readline().split()[1])
    check(stored == last and last < 1200,
          f"SIGTERM: a complete checkpoint ({newest}) at the last statistics row, t = {last}")
    code, text = run(output, ["Checkpoint/Resume=auto"], fresh=False)
    check(code == 0, "SIGTERM: the resumed run finishes" + ("" if code == 0 else "\n" + text))
    compare(reference, output, "statistics.csv")


def parameters():
    reference = reference_run(1)
    first = os.path.join(reference, "checkpoints", complete_checkpoints(reference)[0])
    code, text = run("changed", [f"Checkpoint/Resume={first}", "Heat/Time step=7"])
    check(code == 1 and "Heat/Time step: '5' in the checkpoint, '7' now" in text,
          "a changed physics parameter is refused, naming it")
    code, text = run("longer", ["Treatment schedule/End time=1500"])
    check(code == 0, "a run to 1500 s")
    code, text = run(reference, ["Checkpoint/Resume=auto", "Treatment schedule/End time=1500"],
                     fresh=False)
    check(code == 0 and "Resuming from" in text and "at t = 1200 s" in text,
          "the finished run continues from its end checkpoint to a longer End time")
    compare("longer", reference, "statistics.csv")


def unwritable():
    output = os.path.abspath("unwritable")
    shutil.rmtree(output, ignore_errors=True)
    os.makedirs(output)
    with open(os.path.join(output, "checkpoints"), "w") as handle:
        handle.write("a file where the checkpoints go\n")
    code, text = run(output, fresh=False)
    check(code == 1 and "cannot write the checkpoint" in text and "checkpoints" in text,
          "an unwritable checkpoint directory is an error naming it:\n   " +
          text.strip().splitlines()[-1])


case = sys.argv[1]
if case == "kill9":
    kill9(int(sys.argv[2]), int(sys.argv[3]))
else:
    {"sigterm": sigterm, "parameters": parameters, "unwritable": unwritable}[case]()
finish()
