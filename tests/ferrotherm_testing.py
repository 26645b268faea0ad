"""Helpers of the Ferrotherm test drivers: run the executable (optionally under mpirun),
read its CSV outputs, compute convergence orders, and fail with a clear message."""
import csv
import math
import os
import subprocess
import sys

FERROTHERM = os.environ.get("FERROTHERM", "ferrotherm")
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
HERE = os.path.dirname(os.path.abspath(__file__))


def run(prm, overrides=(), ranks=1, output=None, timeout=600, expect_success=True):
    """Runs ferrotherm on prm with --set overrides; returns the CompletedProcess."""
    command = [FERROTHERM, prm]
    if output is not None:
        command += ["--set", f"Output/Output directory={output}"]
    for override in overrides:
        command += ["--set", override]
    if ranks > 1:
        command = [MPIEXEC, "-np", str(ranks), "--oversubscribe"] + command
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if expect_success and result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(command)}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def read_csv(path):
    """Columns of a CSV file as lists of floats, by header name."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    return {name: [float(row[k]) for row in rows[1:]] for k, name in enumerate(header)}


def orders(errors, ratio=2.0):
    """Observed convergence orders between successive errors (h divided by ratio)."""
    return [math.log(errors[k] / errors[k + 1]) / math.log(ratio) for k in range(len(errors) - 1)]


def heated_sphere_constants(radius, outer=0.05, conductivity=0.5, perfusion=2000, q_over_w=50):
    """The steady heated sphere (Pennes 1948): a sphere of radius R heated by Q in perfused
    tissue (k, W) inside a sphere of radius Ro held at the arterial temperature. Returns m,
    A, B of theta = Q/W + A sinh(m r)/r (r < R), B sinh(m (Ro - r))/r (r > R), m = sqrt(W/k)."""
    m = math.sqrt(perfusion / conductivity)
    s1, s2 = math.sinh(m * radius), math.sinh(m * (outer - radius))
    d1 = (m * math.cosh(m * radius) * radius - s1) / radius ** 2
    d2 = (-m * math.cosh(m * (outer - radius)) * radius - s2) / radius ** 2
    # continuity: A s1/R - B s2/R = -Q/W; flux: A d1 - B d2 = 0
    det = -(s1 / radius) * d2 + (s2 / radius) * d1
    a = q_over_w * d2 / det
    b = q_over_w * d1 / det
    return m, a, b


def check(condition, message):
    print(("ok     " if condition else "FAILED ") + message, flush=True)
    if not condition:
        check.failures += 1


check.failures = 0


def finish():
    if check.failures:
        sys.exit(f"{check.failures} check(s) failed")
    print("all checks passed")
