"""Checkpoint/restart of tests/checkpoint/restart.prm (every layer on: magnetophoresis
and uptake, quasi-static EM, adaptive BDF2 heat with Newton, the custom immune model,
probes, ParaView output; a checkpoint every 200 s of simulated time):
  kill9 A B [tight|immunotherapy]
              a run on A ranks killed with SIGKILL at a random moment after its first
              checkpoint, resumed with Resume = auto on B ranks: statistics.csv,
              probes.csv and the dose histogram equal the uninterrupted A-rank run, row
              for row (no duplicated or missing rows).
              Same ranks: every column to 1e-10 of the quantity's magnitude, the adaptive
              time step included, iteration counts within 2, and bitwise equal
              tables when the checkpoint was taken once the AMF session had begun (the
              mesh is rebuilt from the p4est forest at every refinement, so the loaded
              mesh orders its cells as the one that wrote the checkpoint). From a checkpoint of the basal phase the
              last digits differ (see 'basal'); preconditioner_setups may grow by one
              per restart.
              Other ranks: the block-ILU preconditioner changes with the partition, so
              runs on A and B ranks differ at solver tolerance. At the default tolerances
              the resumed run must differ from the A-rank run by no more than 1e-10 of
              the quantity's magnitude or 3 times the A-to-B difference of the
              uninterrupted runs. With 'tight' every run uses relative solver
              tolerances of 1e-13 and every column must agree to 1e-10 of the
              quantity's magnitude, the adaptive time step included (the controller
              rounds its step factor down to a multiple of 1/32, so round-off in its
              error estimate does not change the step).
              Iteration counts are not compared across rank counts. The magnitude of a
              quantity is its largest value in the column and, for probes, at any probe
              (the eddy field at the symmetry centre is round-off, 1e-12 of the field
              elsewhere), and for a minimum the largest of the matching maximum. Every
              run closes its iron and heat balances to 1e-8.
              'immunotherapy': the same with Immune/Model = mnp immunotherapy (11
              species, the lymph-node/blood compartments, an anti-PD-L1 dose at 100 s)
              and particle-borne anti-PD-L1 released during the session.
  basal       a resume from the checkpoint at t = 200 s, before the AMF session: every
              restored vector and scalar is bitwise the one of the uninterrupted run,
              yet the first resumed 60 s step ends with round-off differences in the
              steady basal field (its stored-energy integral, a sum that cancels to
              1e-8 J, differs by 1e-14 J); they stay at round-off: the steps are the
              same and the other quantities differ by at most 2e-12 of their magnitude
              (measured), within the same-rank bounds
  sigterm     SIGTERM mid-run: exit 143, a complete checkpoint at the time of the last
              statistics row, and the resumed run finishes identically (bitwise)
  parameters  a resumed run with a changed physics parameter is refused naming it; a
              longer End time continues the finished run as if it had been one run (bitwise)
  unwritable  a checkpoint that cannot be written is an error naming the path, exit 1
  restart.py CASE [A B [tight]]"""
import csv
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, HERE, MPIEXEC, check, finish  # noqa: E402

PRM = os.path.join(HERE, "checkpoint", "restart.prm")
NOT_COMPARED = {"wall_time_s"}
TIGHT = ["Electromagnetics/Quasi-static/Linear solver/Relative tolerance=1e-13",
         "Heat/Nonlinear tolerance=1e-13", "Heat/Linear solver/Relative tolerance=1e-13",
         "Immune/Custom/Linear solver/Relative tolerance=1e-13",
         "Interstitial flow/Linear solver/Relative tolerance=1e-13",
         "Transport/Advection diffusion/Linear solver/Relative tolerance=1e-13"]
# The default immune model instead of the custom one: 11 species, the lymph-node/blood
# compartments and an anti-PD-L1 dose, every species and compartment checkpointed.
IMMUNOTHERAPY = ["Immune/Model=mnp immunotherapy", "Immune/MNP immunotherapy/Time step=50",
                 "Immune/MNP immunotherapy/Anti-PD-L1/Doses=100 s: 8300",
                 # Particle-borne anti-PD-L1, released during the AMF session.
                 "Transport/Advection diffusion/Cargo/Cargo=anti-PD-L1",
                 "Transport/Advection diffusion/Cargo/Load=50",
                 "Transport/Advection diffusion/Cargo/Release temperature=38"]


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


def magnitudes(header, table):
    """The magnitude of each column's quantity: the largest |value| of the column, of the
    same quantity at every probe ('name:quantity') and, for a minimum, of its maximum."""
    def quantity(name):
        return name.split(":", 1)[1] if ":" in name else name.replace("_min", "_max")
    largest = {}
    for k, name in enumerate(header):
        value = max(abs(row[k]) for row in table)
        largest[quantity(name)] = max(largest.get(quantity(name), 0.0), value)
    return {name: largest[quantity(name)] or 1.0 for name in header}


SESSION_START = 300.0  # the AMF session of restart.prm


def resumed_at(text):
    """The time of the checkpoint a resumed run started from, from its screen output."""
    match = re.search(r"Resuming from .* at t = ([0-9.e+-]+) s", text)
    return float(match.group(1)) if match else None


def compare(reference, resumed, file, other_ranks=None, tight=False, bitwise=False):
    """resumed against reference; other_ranks: the uninterrupted run on the ranks the
    resumed run ended on (None: the same ranks, to 1e-10 of each quantity, and bitwise
    equal when `bitwise`)."""
    with open(os.path.join(reference, file)) as handle:
        expected_text = handle.read().splitlines()
    with open(os.path.join(resumed, file)) as handle:
        found_text = handle.read().splitlines()
    header, expected = rows(os.path.join(reference, file))
    header_resumed, found = rows(os.path.join(resumed, file))
    check(header == header_resumed, f"{file}: the same columns")
    times = [row[0] for row in expected]
    check([row[0] for row in found] == times,
          f"{file}: the same {len(times)} output times, none duplicated or missing")
    if header != header_resumed or len(found) != len(expected):
        return
    magnitude = magnitudes(header, expected)
    compared = [k for k, name in enumerate(header)
                if name not in NOT_COMPARED and "iterations" not in name and
                "substeps" not in name and "setups" not in name and
                not name.endswith("balance_error")]
    if other_ranks is None:
        varying = {header.index(name) for name in NOT_COMPARED | {"preconditioner_setups"}
                   if name in header}
        differing = sorted({header[k] for a, b in zip(expected_text[1:], found_text[1:])
                            for k, (x, y) in enumerate(zip(a.split(","), b.split(",")))
                            if x != y and k not in varying})
        if bitwise:
            check(not differing, f"{file}: bitwise equal to the uninterrupted run" +
                  (f" (differing: {', '.join(differing[:4])})" if differing else ""))
        else:
            print(f"{file}: " + ("bitwise equal to the uninterrupted run" if not differing
                                 else f"{len(differing)} column(s) differ in the last digits"),
                  flush=True)
        for k, name in enumerate(header):
            if "iterations" in name or "substeps" in name:
                moved = max(abs(a[k] - b[k]) for a, b in zip(expected, found))
                check(moved <= 2, f"{file}: {name} within 2 of the uninterrupted run "
                      f"({moved:.0f})")
        if "preconditioner_setups" in header:
            k = header.index("preconditioner_setups")
            check(all(b[k] >= a[k] for a, b in zip(expected, found)),
                  f"{file}: preconditioner set-ups continue their count")
        partition = None
    else:
        partition = column_differences(expected, rows(os.path.join(other_ranks, file))[1],
                                       header)
        between = max((partition[header[k]] / magnitude[header[k]], header[k])
                      for k in compared)
        print(f"{file}: the uninterrupted runs on the two rank counts differ by up to "
              f"{between[0]:.1e} of the quantity ({between[1]})", flush=True)
    strict = partition is None or tight
    worst, where = 0.0, "-"
    for k in compared:
        name = header[k]
        if strict:
            bound = 1e-10 * magnitude[name]
        else:
            bound = max(1e-10 * magnitude[name], 3 * partition[name])
        for a, b in zip(expected, found):
            if abs(a[k] - b[k]) / bound > worst:
                worst, where = abs(a[k] - b[k]) / bound, f"{name} at t = {a[0]}"
    if strict:
        check(worst <= 1, f"{file}: largest difference {worst:.2g} ({where}) of 1e-10 "
              "of the quantity <= 1")
    else:
        check(worst <= 1, f"{file}: largest difference {worst:.2f} ({where}) of "
              "max(1e-10 of the quantity, 3x the difference between the ranks) <= 1")
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


def reference_run(ranks, overrides=(), name=None):
    output = os.path.abspath(name or f"reference-{ranks}")
    code, text = run(output, overrides, ranks=ranks)
    check(code == 0, f"uninterrupted run on {ranks} rank(s)" + ("" if code == 0 else "\n" + text))
    return output


def kill9(ranks_before, ranks_after, variant):
    settings = {"tight": TIGHT, "immunotherapy": IMMUNOTHERAPY}.get(variant, [])
    tight = variant == "tight"
    suffix = "-" + variant if variant else ""
    reference = reference_run(ranks_before, settings, f"reference-{ranks_before}{suffix}")
    output = os.path.abspath(f"killed-{ranks_before}-{ranks_after}{suffix}")
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    resume = settings + ["Checkpoint/Resume=auto"]
    for attempt in range(5):
        shutil.rmtree(output, ignore_errors=True)
        process = subprocess.Popen(command(output, resume, ranks_before),
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
    code, text = run(output, resume, ranks_after, fresh=False)
    check(code == 0 and "Resuming from" in text,
          f"resumed with Resume = auto on {ranks_after} rank(s)" + ("" if code == 0 else "\n" + text))
    other = None
    if ranks_before != ranks_after:
        other = reference_run(ranks_after, settings, f"reference-{ranks_after}{suffix}")
    # Bitwise on the same ranks from a checkpoint taken once the session has begun.
    bitwise = other is None and (resumed_at(text) or 0) >= SESSION_START
    for file in ("statistics.csv", "probes.csv", "target_temperature_volume.csv"):
        compare(reference, output, file, other, tight, bitwise)
    with open(os.path.join(output, "solution.pvd")) as handle:
        pvd = handle.read()
    check(pvd.count("<DataSet") == 13, "solution.pvd lists each of the 13 outputs once")


def basal():
    """The first checkpoint (t = 200 s) is before the session at 300 s."""
    reference = reference_run(1, ["Checkpoint/Number kept=10"], "reference-basal")
    first = os.path.join(reference, "checkpoints", complete_checkpoints(reference)[0])
    with open(os.path.join(first, "info.txt")) as handle:
        stored = float(handle.readline().split()[1])
    check(stored == 200, f"the first checkpoint is at t = {stored} s, before the session")
    output = os.path.abspath("basal")
    code, text = run(output, [f"Checkpoint/Resume={first}"])
    check(code == 0 and "at t = 200 s" in text,
          "resumed from the basal-phase checkpoint" + ("" if code == 0 else "\n" + text))
    for file in ("statistics.csv", "probes.csv", "target_temperature_volume.csv"):
        compare(reference, output, file)


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
    compare(reference, output, "statistics.csv", bitwise=last >= SESSION_START)


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
    compare("longer", reference, "statistics.csv", bitwise=True)


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
    kill9(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
else:
    {"basal": basal, "sigterm": sigterm, "parameters": parameters, "unwritable": unwritable}[case]()
finish()
