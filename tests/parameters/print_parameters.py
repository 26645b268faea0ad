"""--print-parameters in its three formats: prm re-reads as a valid parameter file, json
parses and documents every entry, md lists the sections; --validate accepts every
bundled example in prm/."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, check, finish  # noqa: E402

source = sys.argv[1]


def output_of(*arguments):
    result = subprocess.run([FERROTHERM, *arguments], capture_output=True, text=True)
    check(result.returncode == 0, f"ferrotherm {' '.join(arguments)} exits 0")
    return result.stdout


prm = output_of("--print-parameters", "prm")
with open("all.prm", "w") as handle:
    handle.write(prm)
check("subsection Heat" in prm and "set Time step" in prm, "prm format has the Heat section")

data = json.loads(output_of("--print-parameters", "json"))
undocumented = []


def walk(tree, path):
    for key, value in tree.items():
        if isinstance(value, dict) and "value" in value:
            if not value.get("documentation", "").strip():
                undocumented.append(path + key)
        elif isinstance(value, dict):
            walk(value, path + key + "/")


walk(data, "")
check(not undocumented, f"every parameter is documented (undocumented: {undocumented[:5]})")

markdown = output_of("--print-parameters", "md")
for section in ("## Heat", "## Heating/Rosensweig", "## Mesh/Box with tumour", "## Tissues"):
    check(section in markdown, f"markdown has '{section}'")

for example in sorted(glob.glob(os.path.join(source, "prm", "**", "*.prm"), recursive=True)):
    result = subprocess.run([FERROTHERM, "--validate", example], capture_output=True, text=True)
    check(result.returncode == 0, f"--validate {os.path.relpath(example, source)}" +
          ("" if result.returncode == 0 else ": " + result.stderr.strip()))
finish()
