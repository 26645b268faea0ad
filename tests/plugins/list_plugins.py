"""ferrotherm --list-plugins prints exactly the registered plugin names of every family
(so a plugin dropped by the linker, or renamed, fails this test)."""
import os
import subprocess
import sys

expected = open(os.path.join(os.path.dirname(__file__), "plugins.expected")).read()
result = subprocess.run([os.environ["FERROTHERM"], "--list-plugins"], capture_output=True, text=True)
print(result.stdout)
if result.returncode != 0 or result.stdout != expected:
    sys.exit("FAILED: the registered plugins differ from tests/plugins/plugins.expected:\n" + expected)
print("ok: all plugin families list the expected names")
