"""Input files and --validate (tests/errors/base.prm):
  validate    --validate refuses what the run refuses: a probe outside the mesh, 1/0 in
              an expression (also one that is NaN only at the end time), an output
              directory below a regular file, Global refinements = 10 (memory estimate),
              on 1 and 2 ranks, and writes nothing; a valid case passes
  bom         a UTF-8 byte order mark at the start of the tissue table, the SLP table and
              the .prm file is accepted (same result as without)
  xml         --print-parameters xml parses as XML and holds every section; an unknown
              format is a usage error
  inputs.py CASE"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import FERROTHERM, HERE, MPIEXEC, check, finish, read_csv  # noqa: E402

BASE = os.path.join(HERE, "errors", "base.prm")
SOURCE = os.path.dirname(HERE)
BOM = b"\xef\xbb\xbf"


def ferrotherm(arguments, ranks=1):
    line = [FERROTHERM] + arguments
    if ranks > 1:
        line = [MPIEXEC, "-np", str(ranks), "--oversubscribe"] + line
    result = subprocess.run(line, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def case_validate():
    with open("regular-file", "w") as handle:
        handle.write("not a directory\n")
    refused = [
        (["Postprocess/List of postprocessors=probes",
          "Postprocess/Probes/Points=inside: 0, 0, 0; far: 1, 1, 1"],
         r"Postprocess/Probes/Points: the probe 'far' at \(1 1 1\) lies outside the mesh"),
        (["Heat/Initial temperature=1/0"],
         r"Heat/Initial temperature: the expression '1/0' is not finite at \(.*\) at t = 0"),
        (["Heat/Additional heat source=t > 15 ? sqrt(-1) : 0"],
         r"Heat/Additional heat source: the expression .* is not finite at .* at t = 20"),
        (["Output/Output directory=regular-file/sub"],
         r"Output/Output directory: cannot create 'regular-file/sub': 'regular-file' "
         r"exists and is not a directory"),
        (["Mesh/Global refinements=10"],
         r"Mesh/Global refinements: 10 refinements of \d+ coarse cells give about .* "
         r"cells and .* temperature DoFs \(Q1\), which need about .* GB of memory .*; "
         r"the machine has .* GB"),
    ]
    for overrides, expected in refused:
        arguments = ["--validate", BASE]
        if not any(o.startswith("Output/") for o in overrides):
            overrides = overrides + ["Output/Output directory=validate-out"]
        for override in overrides:
            arguments += ["--set", override]
        for ranks in (1, 2):
            code, text = ferrotherm(arguments, ranks)
            messages = [line for line in text.splitlines() if line.startswith("ferrotherm:")]
            check(code == 1 and re.search(expected, text) is not None and
                  len(messages) == 1,
                  f"{ranks} rank(s): --validate refuses {overrides[0]} ({messages})")
    check(not os.path.exists("validate-out"), "--validate wrote no output directory")
    # The run refuses the refinements too, before refining.
    code, text = ferrotherm([BASE, "--set", "Mesh/Global refinements=10", "--set",
                             "Output/Output directory=validate-out"])
    check(code == 1 and "Mesh/Global refinements: 10 refinements" in text and
          not os.path.exists("validate-out"), "the run refuses Global refinements = 10")
    code, text = ferrotherm(["--validate", BASE, "--set",
                             "Output/Output directory=validate-out"], 2)
    check(code == 0 and "valid" in text and not os.path.exists("validate-out"),
          "a valid case passes --validate and writes nothing")


def with_bom(source, target):
    with open(source, "rb") as handle:
        content = handle.read()
    with open(target, "wb") as handle:
        handle.write(BOM + content)


def case_bom():
    with_bom(os.path.join(SOURCE, "prm", "tissues.csv"), "tissues-bom.csv")
    with_bom(os.path.join(HERE, "data", "slp-table.csv"), "slp-bom.csv")
    with_bom(BASE, "base-bom.prm")
    results = {}
    for name, prm, tissues, slp in (("plain", BASE, os.path.join(SOURCE, "prm", "tissues.csv"),
                                     os.path.join(HERE, "data", "slp-table.csv")),
                                    ("bom", os.path.abspath("base-bom.prm"),
                                     os.path.abspath("tissues-bom.csv"),
                                     os.path.abspath("slp-bom.csv"))):
        output = f"out-{name}"
        shutil.rmtree(output, ignore_errors=True)
        code, text = ferrotherm([prm, "--set", f"Tissues/Database={tissues}",
                                 "--set", "Heating/Model=table",
                                 "--set", f"Heating/Table/File={slp}",
                                 "--set", "Transport/Model=prescribed",
                                 "--set", "Transport/Prescribed/Iron by label=2: 5",
                                 "--set", f"Output/Output directory={output}"])
        check(code == 0, f"{name}: the run succeeds ({text.strip().splitlines()[-1]})")
        results[name] = read_csv(os.path.join(output, "statistics.csv"))
    check(results["plain"]["T_max_C"] == results["bom"]["T_max_C"] and
          results["plain"]["T_max_C"][-1] > results["plain"]["T_max_C"][0],
          f"with and without BOM the same heated run (T_max {results['bom']['T_max_C']})")


def case_xml():
    code, text = ferrotherm(["--print-parameters", "xml"])
    check(code == 0, "--print-parameters xml exits 0")
    root = ElementTree.fromstring(text)
    sections = {child.tag for child in root}
    check({"Mesh", "Heat", "Output", "Postprocess"} <= sections,
          f"the XML holds the sections ({sorted(sections)[:6]} ...)")
    refinements = root.find("Mesh/Global_20refinements/default_value")
    check(refinements is not None and refinements.text == "2",
          "Mesh/Global refinements has its default 2")
    code, text = ferrotherm(["--print-parameters", "yaml"])
    check(code == 1 and "unknown format 'yaml' (expected prm, json, md or xml)" in text,
          "--print-parameters yaml is a usage error")


{"validate": case_validate, "bom": case_bom, "xml": case_xml}[sys.argv[1]]()
finish()
