"""Fuzz test of `ferrotherm --validate`: seeded mutations of the demo parameter file
(prm/demo.prm), the tissue table (prm/tissues.csv, selected with --set
"Tissues/Database=...") and a Gmsh mesh (tests/data/two-blocks.msh, read as in
tests/verification/gmsh_two_blocks.prm; a third of the meshes start from the same mesh in
MSH 4.1, tests/fuzz/two-blocks-4.1.msh), plus a directory, /dev/null and the other
inputs each given in the wrong place; with --saved-mesh instead a saved mesh
(tests/fuzz/two-blocks.ftmesh, the same blocks for Mesh/Model = saved). Bad input must
end in a clean error, never in a crash or a hang.

A case passes if ferrotherm exits 0 (valid input), or exits 1 with a message starting
with "ferrotherm:" on stderr. It fails on a timeout (hang), a signal or another exit code
(crash, abort), a crash signature ("terminate called", "Segmentation fault", a
stack trace, deal.II's TimerOutput "exception is currently uncaught" block), running out
of memory (std::bad_alloc: each run is limited to --memory-limit GB of address space, the
machine being shared), exit 1 without a message, a file of the wrong kind accepted, or
files left in the working directory. Each failing input is kept in fuzz-failures/ with
the command that reproduces it. Deep entries: besides line-level mutations, a .prm may
get a block setting any parameter listed by --print-parameters (and the plugin it
belongs to) to a bad or scaled value.
  fuzz_validate.py [--seed 8] [--cases 240] [--timeout 15] [--jobs 1] [--mpi-cases 0]
                   [--memory-limit 2] [--saved-mesh] [--verbose]
The mutations are a deterministic function of the seed (random.Random(seed))."""
import argparse
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
DEMO_PRM = os.path.join(SOURCE, "prm", "demo.prm")
TISSUES_CSV = os.path.join(SOURCE, "prm", "tissues.csv")
MESH = os.path.join(SOURCE, "tests", "data", "two-blocks.msh")
MESH_41 = os.path.join(HERE, "two-blocks-4.1.msh")  # the same mesh in MSH 4.1
SAVED_MESH = os.path.join(HERE, "two-blocks.ftmesh")  # the same blocks, a saved mesh
MESH_PRM = os.path.join(SOURCE, "tests", "verification", "gmsh_two_blocks.prm")
MESH_TISSUES = os.path.join(SOURCE, "tests", "data", "tissues-verification.csv")

CRASH_SIGNATURES = ("terminate called", "Segmentation fault", "Stacktrace", "signal 11",
                    "core dumped", "exception is currently uncaught",
                    "TimerOutput objects finalize", "Aborted", "double free",
                    "stack smashing", "AddressSanitizer")

# Values that break parsers and range checks.
SPECIAL_NUMBERS = ["0", "-1", "1e300", "-1e300", "nan", "NaN", "inf", "-inf", "-0",
                   "1e-300", "99999999999999999999", "-2147483649", "4294967296",
                   "1099511627776", "1e309", "0x10", "1,5", "1..2", "+", "e5", "1e",
                   "  ", "", "one", "1/0", "3e-324", "1e6", "100000", "1e-9",
                   "2147483647"]
GARBAGE = ["set Foo = bar", "set = 1", "subsection", "subsection Nowhere", "end",
           "set Model", "=", "%%%%", "set Mesh = box", "include other.prm",
           "set Model = = box", "\\", "subsection Heat\nset Time step = \nend",
           "set Time step = 5 # comment", "# just a comment", "\t\t\t",
           "subsection Heat\n  set Time step = -5\nend",
           "subsection Mesh\n  set Global refinements = 40\nend",
           "subsection Treatment schedule\n  set End time = 1e300\nend"]
UNICODE = ["\u00b0C", "\u00e9", "\u200b", "\ufeff", "\u2212", "\u00a0", "\u4e2d\u6587",
           "\U0001f525", "\u2014", "\u00b5m"]
# Whole values for any entry: wrong types, lists, expressions, paths.
ENTRY_VALUES = ["-1", "0", "1e300", "nan", "", "box", "gmsh", "1/0", "x*", "sqrt(-1)",
                "0-1800, 1700-1900", "1800-0", "a: b", ";;;", ",,,", "40", "1e9",
                "0, 0, 0", "1, 2", "/", "/proc/nothing", "$FERROTHERM_DATA",
                "$FERROTHERM_MESHES/none.msh", "x_min: fixed temperature",
                "x_min: fixed temperature 37; x_min: fixed temperature 40",
                "nowhere: heat flux 1", "tumour centre: 0, 0, 0; tumour centre: 0, 0, 0",
                "far: 1, 1, 1", "2: -10", "2: nan", "0: 0", "temperature statistics, "
                "temperature statistics", "nothing", "true", "-0", "1e-300",
                # other plugins, entered with their default parameters
                "layered sphere", "box", "full eddy current", "uniform", "function",
                "advection diffusion", "table", "constant", "custom", "solenoid",
                "planar spiral", "polyline", "loop", "steady", "backward euler",
                "1000000", "2147483647", "1e-9", "1e6"]
RAW_BYTES = [b"\xff\xfe", b"\x00", b"\xc3", b"\x80\x80", b"\xef\xbb\xbf", b"\x1b[31m",
             b"\r", b"\x7f"]

def declared_parameters(executable):
    """(subsection path, entry, default) of every parameter, from --print-parameters."""
    try:
        text = subprocess.run([executable, "--print-parameters", "prm"],
                              capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    path, parameters = [], []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("subsection "):
            path.append(line[len("subsection "):].strip())
        elif line == "end" and path:
            path.pop()
        elif line.startswith("set ") and "=" in line:
            name, default = line[4:].split("=", 1)
            parameters.append((tuple(path), name.strip(), default.strip()))
    return sorted(parameters)


PARAMETERS = []  # filled in main()
MEMORY_LIMIT_GB = 2  # address space of each run (the machine is shared); --memory-limit


def limit_memory():
    limit = int(MEMORY_LIMIT_GB * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def lines_of(data):
    return data.split(b"\n")


def join(lines):
    return b"\n".join(lines)


def encode(text):
    return text.encode("utf-8")


def replace_number(rng, line, candidates):
    """Replaces one number of the line; None if it has none."""
    text = line.decode("utf-8", "replace")
    matches = list(NUMBER.finditer(text))
    if not matches:
        return None
    match = rng.choice(matches)
    value = rng.choice(candidates)
    return encode(text[:match.start()] + value + text[match.end():]), match.group(), value


# --- generic text mutations (any file) ---

def mutate_generic(rng, data, number_lines):
    """One generic mutation of a text file; returns (data, description)."""
    lines = lines_of(data)
    n = len(lines)
    kind = rng.choice(["number", "number", "number", "delete", "duplicate", "swap",
                       "truncate", "flip", "unicode", "bytes", "long line", "long value",
                       "crlf", "bom", "empty", "blank lines", "tabs", "move block"])
    if kind == "number" and number_lines:
        k = rng.choice(number_lines)
        result = replace_number(rng, lines[k], SPECIAL_NUMBERS)
        if result is not None:
            lines[k], old, new = result
            return join(lines), f"line {k + 1}: number {old} -> {new!r}"
        kind = "delete"
    if kind in ("number", "delete"):
        k = rng.randrange(n)
        removed = lines.pop(k)
        return join(lines), f"delete line {k + 1} ({removed[:40]!r})"
    if kind == "duplicate":
        k = rng.randrange(n)
        copies = rng.choice([2, 2, 3, 50])
        lines[k:k + 1] = [lines[k]] * copies
        return join(lines), f"line {k + 1} repeated {copies} times ({lines[k][:40]!r})"
    if kind == "swap":
        a, b = rng.randrange(n), rng.randrange(n)
        lines[a], lines[b] = lines[b], lines[a]
        return join(lines), f"swap lines {a + 1} and {b + 1}"
    if kind == "truncate":
        cut = rng.randrange(len(data))
        return data[:cut], f"truncated at byte {cut} of {len(data)}"
    if kind == "flip":
        count = rng.choice([1, 1, 3, 10])
        buffer = bytearray(data)
        positions = []
        for _ in range(count):
            p = rng.randrange(len(buffer))
            buffer[p] = rng.choice(b"#=,;:.-+0123456789 \t\"'\\/{}[]()azAZ$\n")
            positions.append(p)
        return bytes(buffer), f"{count} character(s) replaced at bytes {positions}"
    if kind == "unicode":
        k = rng.randrange(n)
        piece = rng.choice(UNICODE)
        p = rng.randrange(len(lines[k]) + 1)
        lines[k] = lines[k][:p] + encode(piece) + lines[k][p:]
        return join(lines), f"line {k + 1}: {piece!r} inserted at column {p + 1}"
    if kind == "bytes":
        k = rng.randrange(n)
        piece = rng.choice(RAW_BYTES)
        p = rng.randrange(len(lines[k]) + 1)
        lines[k] = lines[k][:p] + piece + lines[k][p:]
        return join(lines), f"line {k + 1}: bytes {piece!r} inserted at column {p + 1}"
    if kind == "long line":
        k = rng.randrange(n + 1)
        length = rng.choice([5000, 100000, 1000000])
        lines.insert(k, b"x" * length)
        return join(lines), f"a line of {length} 'x' inserted before line {k + 1}"
    if kind == "long value":
        k = rng.randrange(n)
        length = rng.choice([5000, 200000])
        lines[k] = lines[k] + b"9" * length
        return join(lines), f"line {k + 1}: {length} digits '9' appended"
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n"), "CRLF line endings"
    if kind == "bom":
        return b"\xef\xbb\xbf" + data, "UTF-8 byte order mark at the start"
    if kind == "empty":
        return rng.choice([b"", b"\n", b" ", b"\x00"]), "empty file"
    if kind == "blank lines":
        k = rng.randrange(n)
        lines[k] = b"   \t  "
        return join(lines), f"line {k + 1} replaced by blanks"
    if kind == "tabs":
        return data.replace(b" ", b"\t"), "all blanks replaced by tabs"
    a = rng.randrange(n)
    b = min(n, a + rng.randint(1, 6))
    block = lines[a:b]
    del lines[a:b]
    k = rng.randrange(len(lines) + 1)
    lines[k:k] = block
    return join(lines), f"lines {a + 1}-{b} moved before line {k + 1}"


# --- parameter file ---

def mutate_prm(rng, data):
    lines = lines_of(data)
    set_lines = [k for k, line in enumerate(lines) if line.strip().startswith(b"set ")]
    end_lines = [k for k, line in enumerate(lines) if line.strip() == b"end"]
    kind = rng.choice(["generic", "generic", "generic", "drop end", "garbage",
                       "empty value", "value swap", "subsection name", "entry name",
                       "value", "value", "deep entry", "deep entry", "deep entry",
                       "deep entry", "deep entry"])
    if kind == "deep entry" and PARAMETERS:
        return deep_entry(rng, data)
    if kind in ("value", "deep entry"):
        k = rng.choice(set_lines)
        value = rng.choice(ENTRY_VALUES)
        lines[k] = lines[k].split(b"=")[0] + b"= " + encode(value)
        return join(lines), f"line {k + 1}: {lines[k].strip()[:80]!r}"
    if kind == "drop end":
        k = rng.choice(end_lines)
        del lines[k]
        return join(lines), f"'end' of line {k + 1} deleted"
    if kind == "garbage":
        entry = rng.choice(GARBAGE)
        k = rng.randrange(len(lines) + 1)
        if "\n" in entry:  # a whole block: between the top-level sections
            depth, top_level = 0, [0]
            for j, line in enumerate(lines):
                stripped = line.strip()
                depth += stripped.startswith(b"subsection ") - (stripped == b"end")
                if depth == 0:
                    top_level.append(j + 1)
            k = rng.choice(top_level)
        lines.insert(k, encode(entry))
        return join(lines), f"{entry!r} inserted before line {k + 1}"
    if kind == "empty value":
        k = rng.choice(set_lines)
        lines[k] = lines[k].split(b"=")[0] + b"="
        return join(lines), f"line {k + 1}: empty value ({lines[k].strip()!r})"
    if kind == "value swap":
        a, b = rng.choice(set_lines), rng.choice(set_lines)
        value_a, value_b = lines[a].split(b"=", 1)[1], lines[b].split(b"=", 1)[1]
        lines[a] = lines[a].split(b"=", 1)[0] + b"=" + value_b
        return join(lines), (f"line {a + 1} gets the value of line {b + 1} "
                             f"({value_b[:40]!r})")
    if kind == "subsection name":
        subsections = [k for k, line in enumerate(lines)
                       if line.strip().startswith(b"subsection ")]
        k = rng.choice(subsections)
        new = rng.choice([b"subsection", b"subsection  ", b"subsection Mesh",
                          b"subsection Heat", b"subsection Nowhere",
                          lines[k].lower(), lines[k] + b" extra"])
        lines[k] = new
        return join(lines), f"line {k + 1}: subsection header -> {new!r}"
    if kind == "entry name":
        k = rng.choice(set_lines)
        new = rng.choice([b"set", b"SET", b"Set", b"sett", b"set  set"])
        lines[k] = lines[k].replace(b"set", new, 1)
        return join(lines), f"line {k + 1}: 'set' -> {new!r}"
    return mutate_generic(rng, data, set_lines)


def deep_entry(rng, data):
    """Appends a block that sets any declared parameter (from --print-parameters) to a
    bad or scaled value; mostly it also selects the plugin the entry belongs to
    (e.g. Electromagnetics/Coil/Model = solenoid for .../Coil/Solenoid/Turns)."""
    path, name, default = rng.choice(PARAMETERS)
    numbers = NUMBER.findall(default)
    if numbers and rng.random() < 0.6:  # the default, scaled: passes the pattern
        factor = rng.choice([1e6, 1e-9, -1, 1e30, 1e3, 0])
        value = ", ".join(f"{float(x) * factor:g}" for x in numbers)
    else:
        value = rng.choice(ENTRY_VALUES + SPECIAL_NUMBERS)
    block = [("  " * k + "subsection " + section) for k, section in enumerate(path)]
    block.append("  " * len(path) + f"set {name} = {value}")
    selected = ""
    if len(path) >= 2 and name != "Model" and rng.random() < 0.7 and \
            any(p == path[:-1] and n == "Model" for p, n, _ in PARAMETERS):
        selected = path[-1].lower()
        block.append("  " * (len(path) - 1) + "end")
        block.append("  " * (len(path) - 1) + f"set Model = {selected}")
        block += ["  " * k + "end" for k in reversed(range(len(path) - 1))]
    else:
        block += ["  " * k + "end" for k in reversed(range(len(path)))]
    text = data.rstrip(b"\n") + b"\n" + encode("\n".join(block)) + b"\n"
    where = "/".join(path + (name,))
    if selected:
        where = f"{where} = {value!r} (with {'/'.join(path[:-1])}/Model = {selected})"
    else:
        where = f"{where} = {value!r}"
    return text, where


# --- tissue table ---

def mutate_csv(rng, data):
    lines = lines_of(data)
    header = next(k for k, line in enumerate(lines) if line.startswith(b"name,"))
    rows = [k for k in range(header + 1, len(lines)) if lines[k].strip()]
    columns = lines[header].split(b",")
    kind = rng.choice(["generic", "generic", "cell", "cell", "cell", "label", "label",
                       "drop column", "extra column", "permute columns", "rename column",
                       "duplicate column", "row short", "row long", "separator",
                       "quote", "cr only", "duplicate row", "gabriel", "model",
                       "delete header", "comment header"])
    if kind == "cell":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        c = rng.randrange(len(cells))
        value = rng.choice(SPECIAL_NUMBERS + ["1e300", "1e300", "-1e-300", "muscle",
                                              "\u00b5", "\"0.5\"", " 0.5 ", "0.5 W"])
        old = cells[c]
        cells[c] = encode(value)
        lines[k] = b",".join(cells)
        return join(lines), (f"line {k + 1} column {columns[c].decode()}: "
                             f"{old.decode('utf-8', 'replace')!r} -> {value!r}")
    if kind == "label":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        value = rng.choice(["0", "-1", "255", "256", "65535", "65536", "4294967295",
                            "4294967296", "1099511627776", "1e10", "1.5", "2",
                            "99999999999999999999999", "nan", ""])
        cells[1] = encode(value)
        lines[k] = b",".join(cells)
        return join(lines), f"line {k + 1}: label -> {value!r}"
    if kind == "drop column":
        c = rng.randrange(len(columns))
        for k in [header] + rows:
            cells = lines[k].split(b",")
            if c < len(cells):
                del cells[c]
            lines[k] = b",".join(cells)
        return join(lines), f"column {columns[c].decode()} removed from every row"
    if kind == "extra column":
        name = rng.choice([b"notes", b"", b"density", b"name", b"\xc2\xb5"])
        for k in [header] + rows:
            lines[k] = lines[k] + b"," + (name if k == header else b"1")
        return join(lines), f"extra column {name!r} in every row"
    if kind == "permute columns":
        order = list(range(len(columns)))
        rng.shuffle(order)
        for k in [header] + rows:
            cells = lines[k].split(b",")
            if len(cells) == len(order):
                lines[k] = b",".join(cells[j] for j in order)
        return join(lines), f"columns reordered {order}"
    if kind == "rename column":
        c = rng.randrange(len(columns))
        new = rng.choice([b"", columns[c].upper(), columns[c] + b" ", b" " + columns[c],
                          columns[c].replace(b"_", b" "), b"\xef\xbb\xbf" + columns[c]])
        cells = list(columns)
        cells[c] = new
        lines[header] = b",".join(cells)
        return join(lines), f"header column {columns[c].decode()} -> {new!r}"
    if kind == "duplicate column":
        c = rng.randrange(len(columns))
        for k in [header] + rows:
            cells = lines[k].split(b",")
            if c < len(cells):
                cells.append(cells[c])
            lines[k] = b",".join(cells)
        return join(lines), f"column {columns[c].decode()} duplicated"
    if kind == "row short":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        cut = rng.randrange(len(cells))
        lines[k] = b",".join(cells[:cut])
        return join(lines), f"line {k + 1}: only {cut} cells"
    if kind == "row long":
        k = rng.choice(rows)
        lines[k] = lines[k] + rng.choice([b",", b",,,", b",1", b",extra,cells"])
        return join(lines), f"line {k + 1}: extra cells"
    if kind == "separator":
        separator = rng.choice([b";", b"\t", b", ", b" ,"])
        return data.replace(b",", separator), f"separator ',' -> {separator!r}"
    if kind == "quote":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        c = rng.randrange(len(cells))
        cells[c] = b'"' + cells[c] + rng.choice([b'"', b""])
        lines[k] = b",".join(cells)
        return join(lines), f"line {k + 1}: cell {c + 1} quoted"
    if kind == "cr only":
        return data.replace(b"\n", b"\r"), "CR-only line endings (old Mac)"
    if kind == "duplicate row":
        k = rng.choice(rows)
        lines.insert(k + 1, lines[k])
        return join(lines), f"line {k + 1} duplicated"
    if kind == "gabriel":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        c = rng.choice([10, 11])
        value = rng.choice([b"gabriel:", b"gabriel:Nothing", b"gabriel: Muscle ",
                            b"Gabriel:Muscle", b"gabriel:muscle", b"gabriel:Muscle,x"])
        cells[c] = value
        lines[k] = b",".join(cells)
        return join(lines), f"line {k + 1} column {columns[c].decode()} -> {value!r}"
    if kind == "model":
        k = rng.choice(rows)
        cells = lines[k].split(b",")
        value = rng.choice([b"", b"lang", b"Lang muscle", b"constant ", b"lang tumor",
                            b"table", b"lang  muscle"])
        cells[7] = value
        lines[k] = b",".join(cells)
        return join(lines), f"line {k + 1}: perfusion_model -> {value!r}"
    if kind == "delete header":
        del lines[header]
        return join(lines), "header row deleted"
    if kind == "comment header":
        lines[header] = b"#" + lines[header]
        return join(lines), "header row commented out"
    return mutate_generic(rng, data, rows)


# --- Gmsh mesh (format 2.2, see tests/data/two-blocks.msh) ---

def section_range(lines, name):
    start = lines.index(b"$" + name)
    return start, lines.index(b"$End" + name)


def mutate_msh(rng, data):
    lines = lines_of(data)
    nodes_start, nodes_end = section_range(lines, b"Nodes")
    elements_start, elements_end = section_range(lines, b"Elements")
    names_start, names_end = section_range(lines, b"PhysicalNames")
    node_lines = list(range(nodes_start + 2, nodes_end))
    element_lines = list(range(elements_start + 2, elements_end))
    hexes = [k for k in element_lines if lines[k].split()[1] == b"5"]
    quads = [k for k in element_lines if lines[k].split()[1] == b"3"]
    kind = rng.choice(["generic", "generic", "generic", "node id", "coordinate",
                       "coordinate", "element type", "tag", "tag", "tag", "tag count",
                       "element node", "count", "count", "drop end", "drop start",
                       "swap sections", "format", "name", "coincide", "degenerate",
                       "drop names", "twist", "element id"])
    if kind == "node id":
        k = rng.choice(node_lines)
        fields = lines[k].split()
        value = rng.choice(["0", "-1", "13", "100000", "1099511627776", "1", "1.5",
                            "99999999999999999999", "x"])
        fields[0] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: node id -> {value}"
    if kind == "coordinate":
        k = rng.choice(node_lines)
        fields = lines[k].split()
        c = rng.randint(1, 3)
        value = rng.choice(["nan", "inf", "-inf", "1e300", "-1e300", "1e-300", "1e309",
                            "0.005", "x", "", "1e30"])
        fields[c] = encode(value)
        lines[k] = b" ".join(f for f in fields if f)
        return join(lines), f"line {k + 1}: coordinate {c} -> {value!r}"
    if kind == "element type":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        value = rng.choice(["1", "2", "4", "6", "7", "12", "15", "17", "99", "0", "-1",
                            "5" if fields[1] == b"3" else "3", "1000000"])
        fields[1] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: element type -> {value}"
    if kind == "tag":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        which = rng.choice([3, 3, 4])  # physical, elementary
        value = rng.choice(["0", "-1", "255", "256", "1000", "65535", "65536", "100000",
                            "2147483648", "4294967296", "1099511627776", "1.5", "x"])
        fields[which] = encode(value)
        lines[k] = b" ".join(fields)
        label = "physical" if which == 3 else "elementary"
        return join(lines), f"line {k + 1}: {label} tag -> {value}"
    if kind == "tag count":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        value = rng.choice(["0", "1", "3", "4", "-1", "100", "1000000"])
        fields[2] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: number of tags -> {value}"
    if kind == "element node":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        c = rng.randrange(5, len(fields))
        value = rng.choice(["0", "-1", "13", "100000", "1099511627776", "1", "x"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: node reference {c - 4} -> {value}"
    if kind == "count":
        k = rng.choice([nodes_start + 1, elements_start + 1, names_start + 1])
        value = rng.choice(["0", "-1", "1", "3", "11", "13", "5", "1000000000",
                            "1099511627776", "x", ""])
        old = lines[k]
        lines[k] = encode(value)
        return join(lines), f"line {k + 1}: count {old.decode()} -> {value!r}"
    if kind == "drop end":
        markers = [k for k, line in enumerate(lines) if line.startswith(b"$End")]
        k = rng.choice(markers)
        removed = lines.pop(k)
        return join(lines), f"{removed.decode()} (line {k + 1}) removed"
    if kind == "drop start":
        markers = [k for k, line in enumerate(lines)
                   if line.startswith(b"$") and not line.startswith(b"$End")]
        k = rng.choice(markers)
        removed = lines.pop(k)
        return join(lines), f"{removed.decode()} (line {k + 1}) removed"
    if kind == "swap sections":
        sections = [(names_start, names_end), (nodes_start, nodes_end),
                    (elements_start, elements_end)]
        a, b = rng.sample(range(3), 2)
        blocks = [lines[s:e + 1] for s, e in sections]
        blocks[a], blocks[b] = blocks[b], blocks[a]
        head = lines[:sections[0][0]]
        names = ["PhysicalNames", "Nodes", "Elements"]
        return (join(head + [line for block in blocks for line in block]),
                f"sections {names[a]} and {names[b]} swapped")
    if kind == "format":
        value = rng.choice([b"2.2 1 8", b"2.2 0 4", b"4.1 0 8", b"1.0 0 8", b"3.0 0 8",
                            b"2.2", b"x", b"2.2 0 8 extra", b"-2.2 0 8", b""])
        lines[1] = value
        return join(lines), f"$MeshFormat line -> {value!r}"
    if kind == "name":
        k = rng.randrange(names_start + 2, names_end)
        fields = lines[k].split(b" ", 2)
        value = rng.choice([b'"', b'""', b"cold", b'"cold', b'"warm"', b'"a b c"',
                            b'"' + encode("\u00e9\u4e2d") + b'"',
                            b'"' + b"n" * 5000 + b'"'])
        tag = rng.choice([fields[1], fields[1], b"100000", b"-1", b"0", b"1099511627776"])
        dim = rng.choice([fields[0], fields[0], b"1", b"0", b"4", b"-1"])
        lines[k] = b" ".join([dim, tag, value])
        return join(lines), f"line {k + 1}: physical name -> {lines[k][:60]!r}"
    if kind == "coincide":
        a, b = rng.sample(node_lines, 2)
        fields_a, fields_b = lines[a].split(), lines[b].split()
        lines[a] = b" ".join([fields_a[0]] + fields_b[1:])
        return join(lines), f"line {a + 1}: node moved onto the node of line {b + 1}"
    if kind == "degenerate":
        k = rng.choice(hexes)
        fields = lines[k].split()
        c, d = rng.sample(range(5, 13), 2)
        fields[c] = fields[d]
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: hexahedron with a repeated vertex"
    if kind == "drop names":
        del lines[names_start:names_end + 1]
        return join(lines), "$PhysicalNames section removed"
    if kind == "twist":
        k = rng.choice(hexes + quads)
        fields = lines[k].split()
        nodes = fields[5:]
        rng.shuffle(nodes)
        lines[k] = b" ".join(fields[:5] + nodes)
        return join(lines), f"line {k + 1}: vertex order shuffled"
    if kind == "element id":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        value = rng.choice([b"0", b"-1", b"1", b"1099511627776", b"x"])
        fields[0] = value
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: element id -> {value.decode()}"
    number_lines = node_lines + element_lines
    return mutate_generic(rng, data, number_lines)


def mutate_msh41(rng, data):
    """Mutations of the MSH 4.1 layout: $Entities and the block headers of $Nodes and
    $Elements (tests/fuzz/two-blocks-4.1.msh)."""
    lines = lines_of(data)
    entities_start, entities_end = section_range(lines, b"Entities")
    nodes_start, nodes_end = section_range(lines, b"Nodes")
    elements_start, elements_end = section_range(lines, b"Elements")
    entity_lines = list(range(entities_start + 2, entities_end))
    node_tags = list(range(nodes_start + 3, nodes_start + 15))
    coordinates = list(range(nodes_start + 15, nodes_end))
    block_headers = list(range(elements_start + 2, elements_end, 2))
    element_lines = [k + 1 for k in block_headers]
    kind = rng.choice(["generic", "generic", "entity tag", "entity tag", "entity count",
                       "section header", "block header", "node tag", "coordinate",
                       "element type", "element entity", "element node", "drop entities",
                       "drop end", "parametric", "element count"])
    if kind == "entity tag":
        k = rng.choice(entity_lines)
        fields = lines[k].split()
        value = rng.choice(["0", "-1", "256", "65536", "100000", "4294967296",
                            "1099511627776", "x"])
        fields[8] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: physical tag of the entity -> {value}"
    if kind == "entity count":
        k = rng.choice(entity_lines)
        fields = lines[k].split()
        value = rng.choice(["0", "2", "-1", "1000000", "1099511627776"])
        fields[rng.choice([7, 9])] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: an entity count -> {value}"
    if kind == "section header":
        k = rng.choice([entities_start + 1, nodes_start + 1, elements_start + 1])
        fields = lines[k].split()
        c = rng.randrange(len(fields))
        value = rng.choice(["0", "-1", "1", "3", "13", "5", "1000000000",
                            "1099511627776", "x"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: section header field {c + 1} -> {value}"
    if kind == "block header":
        k = rng.choice([nodes_start + 2] + block_headers)
        fields = lines[k].split()
        c = rng.randrange(len(fields))
        value = rng.choice(["0", "-1", "2", "4", "7", "99", "1000000", "x"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: block header field {c + 1} -> {value}"
    if kind == "node tag":
        k = rng.choice(node_tags)
        value = rng.choice(["0", "-1", "1", "13", "100000", "1099511627776", "x"])
        lines[k] = encode(value)
        return join(lines), f"line {k + 1}: node tag -> {value}"
    if kind == "coordinate":
        k = rng.choice(coordinates)
        fields = lines[k].split()
        c = rng.randrange(3)
        value = rng.choice(["nan", "inf", "1e300", "-1e300", "1e309", "0.005", "x"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: coordinate {c + 1} -> {value}"
    if kind in ("element type", "element entity", "element count"):
        k = rng.choice(block_headers)
        fields = lines[k].split()
        c = {"element type": 2, "element entity": 1, "element count": 3}[kind]
        value = rng.choice(["0", "-1", "3", "5", "4", "7", "3", "100000", "2"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: {kind} of the block -> {value}"
    if kind == "element node":
        k = rng.choice(element_lines)
        fields = lines[k].split()
        c = rng.randrange(len(fields))
        value = rng.choice(["0", "-1", "13", "100000", "1099511627776", "1", "x"])
        fields[c] = encode(value)
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: element field {c + 1} -> {value}"
    if kind == "drop entities":
        del lines[entities_start:entities_end + 1]
        return join(lines), "$Entities section removed"
    if kind == "drop end":
        markers = [k for k, line in enumerate(lines) if line.startswith(b"$End")]
        k = rng.choice(markers)
        removed = lines.pop(k)
        return join(lines), f"{removed.decode()} (line {k + 1}) removed"
    if kind == "parametric":
        fields = lines[nodes_start + 2].split()
        fields[2] = b"1"
        lines[nodes_start + 2] = b" ".join(fields)
        return join(lines), "node block declared parametric"
    return mutate_generic(rng, data, coordinates + element_lines)


# --- saved mesh (Mesh/Model = saved, see tests/fuzz/two-blocks.ftmesh) ---

def mutate_ftmesh(rng, data):
    lines = lines_of(data)
    vertices = lines.index(b"vertices 12")
    cells = lines.index(b"cells 2")
    faces = lines.index(b"boundary_faces 2")
    names = lines.index(b"boundary_names 2")
    vertex_lines = list(range(vertices + 1, cells))
    cell_lines = [cells + 1, cells + 2]
    count_lines = [vertices, cells, faces, names, lines.index(b"global_refinements 1")]
    kind = rng.choice(["generic", "generic", "vertex index", "token", "token", "token",
                       "insert token", "delete token", "deep", "count", "count", "coordinate",
                       "face", "name", "header", "drop end", "swap cells"])
    if kind == "vertex index":
        k = rng.choice(cell_lines)
        fields = lines[k].split()
        c = rng.randrange(8)
        value = rng.choice([b"0", b"-1", b"7", b"12", b"4294967296", b"1.5", b"x", fields[(c + 1) % 8]])
        fields[c] = value
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: vertex {c} -> {value.decode()}"
    if kind in ("token", "insert token", "delete token"):
        k = rng.choice(cell_lines)
        fields = lines[k].split()
        c = rng.randrange(9, len(fields))
        value = rng.choice([b"0", b"1", b"2*", b"1**", b"*", b"x", b"-1", b"4294967295",
                            b"4294967294", b"99999999999", b"1e3", b"|", b"2 2", b"1*"])
        if kind == "token":
            fields[c] = value
        elif kind == "insert token":
            fields.insert(c, value)
        else:
            del fields[c]
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: tree token {c - 8} ({kind}) {value.decode()!r}"
    if kind == "deep":
        k = rng.choice(cell_lines)
        depth = rng.choice([5, 12, 19, 20, 40])
        fields = lines[k].split()
        c = rng.randrange(10, len(fields))
        fields[c:c + 1] = [b"1*"] * depth + [b"1"] * (8 + 7 * (depth - 1))
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: a chain of {depth} refinements"
    if kind == "count":
        k = rng.choice(count_lines)
        keyword = lines[k].split()[0]
        value = rng.choice([b"0", b"-1", b"1", b"3", b"11", b"13", b"20", b"100000000",
                            b"4294967296", b"x", b""])
        lines[k] = keyword + b" " + value
        return join(lines), f"line {k + 1}: {keyword.decode()} -> {value.decode()!r}"
    if kind == "coordinate":
        k = rng.choice(vertex_lines)
        fields = lines[k].split()
        c = rng.randrange(3)
        value = rng.choice([b"nan", b"inf", b"1e300", b"-1e300", b"1e309", b"0.005", b"x",
                            b"0.01", b"0", b"1e-300"])
        fields[c] = value
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: coordinate {c} -> {value.decode()}"
    if kind == "face":
        k = rng.choice([faces + 1, faces + 2])
        fields = lines[k].split()
        c = rng.randrange(3)
        value = rng.choice([b"0", b"1", b"2", b"5", b"6", b"-1", b"4294967295", b"x", b"10"])
        fields[c] = value
        lines[k] = b" ".join(fields)
        return join(lines), f"line {k + 1}: boundary face field {c} -> {value.decode()}"
    if kind == "name":
        k = rng.choice([names + 1, names + 2])
        value = rng.choice([b"10 warm", b"11", b"x cold", b"4294967295 cold", b"-1 cold",
                            b"12 " + encode("\u00e9") + b" a b", b"10 " + b"n" * 5000])
        lines[k] = value
        return join(lines), f"line {k + 1}: boundary name -> {value[:40]!r}"
    if kind == "header":
        value = rng.choice([b"ferrotherm-saved-mesh 2", b"ferrotherm-saved-mesh", b"$MeshFormat",
                            b"ferrotherm-saved-mesh 1 extra", b""])
        lines[0] = value
        return join(lines), f"first line -> {value!r}"
    if kind == "drop end":
        end = max(k for k, line in enumerate(lines) if line.strip() == b"end")
        del lines[end]
        return join(lines), "'end' removed"
    if kind == "swap cells":
        lines[cells + 1], lines[cells + 2] = lines[cells + 2], lines[cells + 1]
        return join(lines), "the two cells swapped"
    return mutate_generic(rng, data, vertex_lines + cell_lines + count_lines)


def mutate(rng, data, mutator):
    """One to three mutations; the description lists them."""
    descriptions = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if not data.strip(b"\x00 \n"):
            break
        try:
            data, description = mutator(rng, data)
        except (ValueError, IndexError, StopIteration):
            data, description = mutate_generic(rng, data, [])
        descriptions.append(description)
    return data, "; ".join(descriptions)


# --- cases ---

def make_cases(rng, count, directory, saved):
    """Writes the mutated inputs (saved meshes only if `saved`); returns (name,
    description, file, arguments) tuples."""
    os.makedirs(directory, exist_ok=True)
    with open(DEMO_PRM, "rb") as handle:
        demo = handle.read()
    with open(TISSUES_CSV, "rb") as handle:
        tissues = handle.read()
    with open(MESH, "rb") as handle:
        mesh = handle.read()
    with open(MESH_41, "rb") as handle:
        mesh_41 = handle.read()
    with open(SAVED_MESH, "rb") as handle:
        saved_mesh = handle.read()
    # The unmutated demo next to the tissue tables, so relative paths stay valid.
    demo_copy = os.path.join(directory, "demo.prm")
    with open(demo_copy, "wb") as handle:
        handle.write(demo)
    kinds = [("prm", demo, mutate_prm), ("csv", tissues, mutate_csv),
             ("msh", mesh, mutate_msh)]
    if saved:
        kinds = [("ftmesh", saved_mesh, mutate_ftmesh)]
    cases = []
    for n in range(count):
        extension, original, mutator = kinds[n % len(kinds)]
        if extension == "msh" and n % 9 == 8:  # a third of the meshes in MSH 4.1
            original, mutator = mesh_41, mutate_msh41
        data, description = mutate(rng, original, mutator)
        if mutator is mutate_msh41:
            description = "MSH 4.1: " + description
        name = f"{extension}-{n:03d}"
        path = os.path.join(directory, f"{name}.{extension}")
        with open(path, "wb") as handle:
            handle.write(data)
        if extension == "prm":
            arguments = [path]
        elif extension == "csv":
            arguments = [demo_copy, "--set", f"Tissues/Database={path}"]
        elif extension == "ftmesh":
            arguments = [MESH_PRM, "--set", "Mesh/Model=saved", "--set", f"Mesh/Saved/File={path}",
                         "--set", f"Tissues/Database={MESH_TISSUES}"]
        else:
            arguments = [MESH_PRM, "--set", f"Mesh/Gmsh/File={path}",
                         "--set", f"Tissues/Database={MESH_TISSUES}"]
        cases.append((name, description, path, arguments))
    if saved:
        return cases
    # The wrong kind of file in each place.
    places = {"p": ("the parameter file", lambda path: [path]),
              "c": ("the tissue table",
                    lambda path: [demo_copy, "--set", f"Tissues/Database={path}"]),
              "m": ("the mesh",
                    lambda path: [MESH_PRM, "--set", f"Mesh/Gmsh/File={path}",
                                  "--set", f"Tissues/Database={MESH_TISSUES}"])}
    wrong = [("a directory", directory, ""), ("/dev/null", "/dev/null", ""),
             ("the demo", DEMO_PRM, "p"), ("the tissue table", TISSUES_CSV, "c"),
             ("the mesh", MESH, "m")]
    for n, (label, path, own_place) in enumerate(wrong):
        for place, (place_label, arguments) in places.items():
            if place != own_place:
                cases.append((f"wrong-{n}{place}", f"{label} as {place_label}", path,
                              arguments(path)))
    return cases


def verdict(name, result, ranks):
    """None if the case passed, else the symptom. A file of the wrong kind is never a
    valid input."""
    if isinstance(result, subprocess.TimeoutExpired):
        return "hang (timeout)"
    text = result.stdout + result.stderr
    for signature in CRASH_SIGNATURES:
        if signature in text:
            return f"crash signature {signature!r} (exit {result.returncode})"
    if "bad_alloc" in text or "out of memory" in text.lower():
        return f"memory blow-up: out of memory under the {MEMORY_LIMIT_GB} GB limit"
    if result.returncode < 0:
        return f"crash: signal {-result.returncode}"
    if result.returncode not in (0, 1):
        return f"crash/abort: exit code {result.returncode}"
    if result.returncode == 1:
        stderr = result.stderr.strip()
        if not stderr:
            return "exit 1 without a message"
        if ranks == 1 and not stderr.startswith("ferrotherm:"):
            return f"exit 1, stderr does not start with 'ferrotherm:' ({stderr[:60]!r})"
        if ranks > 1 and "ferrotherm:" not in stderr:
            return "exit 1 without a 'ferrotherm:' message"
    if result.returncode == 0 and name.startswith("wrong-"):
        return "a file of the wrong kind accepted as valid (exit 0)"
    return None


def run_case(case, timeout, ranks, scratch):
    name, description, path, arguments = case
    command = [os.environ.get("FERROTHERM", "ferrotherm"), "--validate"] + arguments
    if ranks > 1:
        command = [os.environ.get("MPIEXEC", "mpirun"), "-np", str(ranks),
                   "--oversubscribe"] + command
    directory = os.path.join(scratch, name)
    os.makedirs(directory, exist_ok=True)
    start = time.monotonic()
    # Its own process group, so that a hang under mpirun is ended on every rank.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=directory, preexec_fn=limit_memory,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        result = subprocess.CompletedProcess(command, process.returncode,
                                             stdout.decode("utf-8", "replace"),
                                             stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired as expired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        result = expired
    elapsed = time.monotonic() - start
    left_behind = os.listdir(directory)
    shutil.rmtree(directory, ignore_errors=True)
    return case, command, result, elapsed, left_behind


def save_failure(failures_directory, case, command, result, symptom):
    name, description, path, arguments = case
    os.makedirs(failures_directory, exist_ok=True)
    kept = os.path.join(failures_directory, os.path.basename(path))
    if os.path.isfile(path) and path.startswith(os.getcwd()):
        shutil.copyfile(path, kept)
    else:
        kept = path  # a fixed input (a directory, /dev/null, a source file)
    reproduce = [kept if a == path else a.replace(path, kept) for a in command]
    output = "" if isinstance(result, subprocess.TimeoutExpired) else (
        result.stdout[-3000:] + "\n--- stderr ---\n" + result.stderr[-3000:])
    with open(os.path.join(failures_directory, name + ".txt"), "w") as handle:
        handle.write(f"mutation: {description}\nsymptom: {symptom}\n"
                     f"command: {' '.join(shlex.quote(a) for a in reproduce)}\n"
                     f"\n{output}\n")


def main():
    global MEMORY_LIMIT_GB
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--cases", type=int, default=240)
    parser.add_argument("--timeout", type=float, default=15)
    parser.add_argument("--jobs", type=int, default=1, choices=(1, 2))
    parser.add_argument("--mpi-cases", type=int, default=0,
                        help="also run this many of the cases (evenly spread) on 2 ranks")
    parser.add_argument("--memory-limit", type=float, default=MEMORY_LIMIT_GB,
                        help="address-space limit of each run [GB]")
    parser.add_argument("--saved-mesh", action="store_true",
                        help="mutate the saved mesh tests/fuzz/two-blocks.ftmesh only")
    parser.add_argument("--verbose", action="store_true",
                        help="print every case with its exit code and first message line")
    options = parser.parse_args()

    work = os.getcwd()
    inputs = os.path.join(work, "fuzz-inputs")
    scratch = os.path.join(work, "fuzz-scratch")
    failures_directory = os.path.join(work, "fuzz-failures")
    for directory in (inputs, scratch, failures_directory):
        shutil.rmtree(directory, ignore_errors=True)
    MEMORY_LIMIT_GB = options.memory_limit
    PARAMETERS[:] = declared_parameters(os.environ.get("FERROTHERM", "ferrotherm"))
    rng = random.Random(options.seed)
    cases = make_cases(rng, options.cases, inputs, options.saved_mesh)
    runs = [(case, 1) for case in cases]
    if options.mpi_cases > 0:
        stride = max(1, len(cases) // options.mpi_cases)
        runs += [(case, 2) for case in cases[::stride][:options.mpi_cases]]

    start = time.monotonic()
    passed = failed = valid = 0
    not_input_errors = []
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        results = pool.map(lambda run: run_case(run[0], options.timeout, run[1], scratch)
                           + (run[1],), runs)
        for case, command, result, elapsed, left_behind, ranks in results:
            name, description = case[0], case[1]
            symptom = verdict(name, result, ranks)
            label = name if ranks == 1 else f"{name} (2 ranks)"
            if symptom is None and left_behind:
                symptom = f"--validate left files behind: {left_behind}"
            if symptom is None:
                passed += 1
                valid += result.returncode == 0
                first = (result.stderr.strip().splitlines() or [""])[0]
                if result.returncode == 1 and "input error:" not in first:
                    not_input_errors.append(f"{label}: {description} -> {first[:160]}")
                if options.verbose:
                    print(f"ok     {label} [{elapsed:.2f} s, exit {result.returncode}] "
                          f"{description} -> {first[:160]}", flush=True)
                continue
            failed += 1
            if ranks == 1:
                save_failure(failures_directory, case, command, result, symptom)
            print(f"FAILED {label} [{elapsed:.2f} s]: {symptom}: {description}",
                  flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    for line in not_input_errors:
        print(f"note   exit 1 but not an input error: {line}")
    print(f"seed {options.seed}: {len(runs)} runs ({valid} accepted as valid) in "
          f"{time.monotonic() - start:.1f} s")
    print(f"{passed} passed, {failed} failed")
    if failed:
        print(f"failing inputs and their commands: {failures_directory}")
        sys.exit(1)


if __name__ == "__main__":
    main()
