"""Run status, lock and signals (tests/errors/base.prm, a box with a tumour):
  completed   a normal run leaves status.json "completed" (1 and 2 ranks)
  failed      a heat source that turns NaN at 15 s < t < 50 s: status "failed" with the
              message, also in log.txt; on 2 ranks also when only rank 1 fails (z > 0.03
              of a box: no deadlock, one message)
  sigterm     SIGTERM mid-run (1 rank; 2 ranks with the signal sent to rank 1 only):
              exit 128 + 15, "interrupted by SIGTERM at t = ...", status "interrupted",
              statistics.csv ends at that time
  kill9       kill -9 leaves "running"; the lock is free for the next run
  lock        a second run into a directory in use is refused (1 and 2 ranks), naming
              the directory and the pid, and leaves the first run's files alone
  disk_full   a 64 kB tmpfs (root): "No space left on device" on screen, in status.json;
              a path below a regular file: "Not a directory" / "is not a directory"
  messages    errors on 1 and 2 ranks print one message and no TimerOutput block
  run_status.py CASE"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, HERE, MPIEXEC, check, finish  # noqa: E402

BASE = os.path.join(HERE, "errors", "base.prm")
LONG = ["Mesh/Global refinements=1", "Treatment schedule/End time=1e6"]
NAN_SOURCE = "Heat/Additional heat source=t > 15 && t < 50 ? sqrt(-1) : 0"


def command(output, overrides=(), ranks=1, validate=False):
    line = [FERROTHERM] + (["--validate"] if validate else []) + [BASE]
    for override in list(overrides) + [f"Output/Output directory={output}"]:
        line += ["--set", override]
    if ranks > 1:
        line = [MPIEXEC, "-np", str(ranks), "--oversubscribe"] + line
    return line


def run(output, overrides=(), ranks=1, validate=False, timeout=120):
    result = subprocess.run(command(output, overrides, ranks, validate),
                            capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout + result.stderr


def status(output):
    with open(os.path.join(output, "status.json")) as handle:
        return json.load(handle)


def log_text(output):
    with open(os.path.join(output, "log.txt")) as handle:
        return handle.read()


def start_background(output, overrides=(), ranks=1):
    """Starts a long run and waits until it is in its time loop."""
    shutil.rmtree(output, ignore_errors=True)
    process = subprocess.Popen(command(output, list(LONG) + list(overrides), ranks),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    statistics = os.path.join(output, "statistics.csv")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if os.path.exists(statistics) and sum(1 for _ in open(statistics)) >= 3:
            return process
        time.sleep(0.1)
    process.kill()
    sys.exit(f"FAILED: the background run into {output} did not reach its time loop")


def children(pid):
    """Pids of the direct children of a process (the ranks of mpirun)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError):
                pass
    return sorted(found)


def case_completed():
    for ranks in (1, 2):
        output = f"completed-{ranks}"
        shutil.rmtree(output, ignore_errors=True)
        code, text = run(output, ranks=ranks)
        check(code == 0, f"{ranks} rank(s): a normal run exits 0")
        state = status(output)
        check(state["state"] == "completed" and state["message"] == "" and
              state["signal"] is None and state["ranks"] == ranks and
              state["end_time"] is not None and state["simulated_time_s"] == 20,
              f"{ranks} rank(s): status.json {state}")
        check("--set" in state["command_line"], "status.json has the command line")
        check(not [f for f in os.listdir(output) if f.endswith(".tmp")],
              "no temporary file is left")


def case_failed():
    output = "failed"
    shutil.rmtree(output, ignore_errors=True)
    code, text = run(output, ["Treatment schedule/End time=60", NAN_SOURCE])
    message = "Heat/Additional heat source: the expression .* is not finite at .* t = 20"
    check(code == 1 and re.search(message, text) is not None,
          f"a run failing at t = 20 s exits 1 with the message ({code})")
    state = status(output)
    check(state["state"] == "failed" and re.search(message, state["message"]) is not None,
          f"status.json: failed with the message ({state['state']}: {state['message']})")
    check(re.search("input error: " + message, log_text(output)) is not None,
          "log.txt ends with the message")
    # Only rank 1 owns cells with z > 0.03 of a one-cell box refined twice.
    output = "failed-rank-1"
    shutil.rmtree(output, ignore_errors=True)
    start = time.monotonic()
    code, text = run(output, ["Mesh/Model=box", "Mesh/Global refinements=2",
                              "Tissues/Target tissues=",
                              "Treatment schedule/End time=60",
                              "Heat/Additional heat source=z > 0.03 && t > 15 && t < 50 ? "
                              "sqrt(-1) : 0"], ranks=2, timeout=60)
    check(code != 0 and text.count("is not finite") == 1 and "[rank 1]" in text,
          f"2 ranks, rank 1 fails alone: one message from rank 1 "
          f"({time.monotonic() - start:.1f} s)")
    state = status(output)
    check(state["state"] == "failed" and "is not finite" in state["message"],
          "2 ranks: status.json failed with rank 1's message")
    check("[rank 1]" in log_text(output), "2 ranks: rank 1's message in log.txt")


def case_sigterm():
    for ranks in (1, 2):
        output = f"sigterm-{ranks}"
        process = start_background(output, ranks=ranks)
        # On 2 ranks, only rank 1 gets the signal: both must stop together.
        target = process.pid if ranks == 1 else children(process.pid)[-1]
        os.kill(target, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
        text = stdout + stderr
        match = re.search(r"interrupted by SIGTERM at t = (\S+) s", text)
        check(process.returncode != 0 and match is not None,
              f"{ranks} rank(s): exit {process.returncode}, message "
              f"'{match.group(0) if match else None}'")
        if ranks == 1:
            check(process.returncode == 128 + signal.SIGTERM, "exit code 143")
        state = status(output)
        check(state["state"] == "interrupted" and state["signal"] == "SIGTERM" and
              "interrupted by SIGTERM" in state["message"],
              f"{ranks} rank(s): status.json {state['state']}, {state['signal']}")
        with open(os.path.join(output, "statistics.csv")) as handle:
            last_time = float(handle.read().splitlines()[-1].split(",")[0])
        check(match is not None and abs(last_time - float(match.group(1))) < 1e-9 and
              abs(state["simulated_time_s"] - last_time) < 1e-9,
              f"statistics.csv ends at the time of the interruption ({last_time} s)")
        check("interrupted by SIGTERM" in log_text(output), "the message is in log.txt")


def case_kill9():
    output = "kill9"
    process = start_background(output)
    process.kill()
    process.wait()
    check(status(output)["state"] == "running", "after kill -9 status.json says running")
    code, text = run(output)
    check(code == 0 and status(output)["state"] == "completed",
          "the lock is free: the next run into the directory completes")


def case_lock():
    output = "locked"
    first = start_background(output)
    parameters = os.path.join(output, "parameters.prm")
    stamp = os.stat(parameters).st_mtime_ns
    for ranks in (1, 2):
        code, text = run(output, ranks=ranks)
        expected = (f"Output/Output directory: the directory '{output}' is in use by "
                    f"another run \\(pid {first.pid},")
        check(code == 1 and re.search(expected, text) is not None,
              f"{ranks} rank(s): a second run is refused naming the pid ({code})")
        check(text.count("is in use by another run") == 1, "one message")
        code, text = run(output, ranks=ranks, validate=True)
        check(code == 1 and re.search(expected, text) is not None,
              f"{ranks} rank(s): --validate refuses the directory in use")
    check(status(output)["state"] == "running" and
          os.stat(parameters).st_mtime_ns == stamp,
          "the first run's status.json and parameters.prm are untouched")
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)
    check(status(output)["state"] == "interrupted", "the first run ends as interrupted")


def case_disk_full():
    with open("regular-file", "w") as handle:
        handle.write("not a directory\n")
    for validate in (True, False):
        code, text = run("regular-file/sub", validate=validate)
        check(code == 1 and "Output/Output directory: cannot create 'regular-file/sub': "
              "'regular-file' exists and is not a directory" in text,
              f"{'--validate' if validate else 'run'}: output directory below a file")
    mount = os.path.abspath("tiny-disk")
    os.makedirs(mount, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]).returncode:
        print("note   cannot mount a tmpfs here: the disk-full case is not tested")
        return
    try:
        output = os.path.join(mount, "out")
        code, text = run(output, ["Mesh/Global refinements=1"])
        check(code == 1 and re.search(r"cannot (write|create) the file '.*': No space "
                                      r"left on device", text) is not None,
              f"a full disk is reported with its cause ({text.strip().splitlines()[-1]})")
        state = status(output)
        check(state["state"] == "failed" and "No space left on device" in state["message"],
              "status.json: failed, No space left on device")
    finally:
        subprocess.run(["umount", mount])


def case_messages():
    cases = [
        ["Heat/Initial temperature=37 +* x"],
        ["Postprocess/List of postprocessors=probes", "Postprocess/Probes/Points=far: 1, 1, 1"],
        ["Postprocess/List of postprocessors=safety", "Postprocess/Safety/Action=stop"],
        ["Treatment schedule/End time=60", NAN_SOURCE],
        ["Mesh/Global refinements=10"],
    ]
    for overrides in cases:
        for ranks in (1, 2):
            output = "messages"
            shutil.rmtree(output, ignore_errors=True)
            code, text = run(output, overrides, ranks=ranks, timeout=60)
            messages = [line for line in text.splitlines() if line.startswith("ferrotherm:")]
            check(code != 0 and len(messages) == 1 and "TimerOutput" not in text and
                  "uncaught" not in text,
                  f"{ranks} rank(s) {overrides[-1]}: one message, no TimerOutput block "
                  f"({messages})")


{"completed": case_completed, "failed": case_failed, "sigterm": case_sigterm,
 "kill9": case_kill9, "lock": case_lock, "disk_full": case_disk_full,
 "messages": case_messages}[sys.argv[1]]()
finish()
