"""Runs ferrotherm on bad input (under mpirun when --ranks > 1) and checks that it fails
cleanly: exit code != 0 within the time limit (no hang), a message matching --regex (the
culprit named), no crash signature, and no output directory left behind.
  expect_error.py --ranks 2 --regex "Time stpe" -- case.prm [--set ...]"""
import argparse
import os
import re
import shutil
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--ranks", type=int, default=1)
parser.add_argument("--regex", required=True)
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("arguments", nargs=argparse.REMAINDER)
options = parser.parse_args()
arguments = [a for a in options.arguments if a != "--"]
output = "out-error"
shutil.rmtree(output, ignore_errors=True)
command = [os.environ["FERROTHERM"]] + arguments + ["--set", f"Output/Output directory={output}"]
if any(a in ("--list-plugins", "--print-parameters") for a in arguments) or not arguments:
    command = command[:-2]
if options.ranks > 1:
    command = [os.environ.get("MPIEXEC", "mpirun"), "-np", str(options.ranks), "--oversubscribe"] + command
try:
    result = subprocess.run(command, capture_output=True, text=True, timeout=options.timeout)
except subprocess.TimeoutExpired:
    sys.exit(f"FAILED: no exit within {options.timeout} s (hang): {' '.join(command)}")
text = result.stdout + result.stderr
print(text)
failures = []
if result.returncode == 0:
    failures.append("exit code 0")
if not re.search(options.regex, text):
    failures.append(f"no message matching /{options.regex}/")
for signature in ("Segmentation fault", "signal 11", "core dumped", "Stacktrace", "terminate called"):
    if signature in text:
        failures.append(f"crash signature '{signature}'")
if os.path.exists(output):
    failures.append(f"an output directory '{output}' was left behind")
if failures:
    sys.exit("FAILED: " + "; ".join(failures))
print(f"ok: exit code {result.returncode}, message matches /{options.regex}/")
