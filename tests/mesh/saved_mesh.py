"""Mesh/Save mesh and Mesh/Model = saved on the image of tests/mesh/image_case.py:
  - an image mesh with a Target refinement keeps every tissue's volume = its voxel count
    x the voxel volume (the labels below the coarse cells survive the refinement);
  - the saved mesh (written on 2 ranks, before the Target refinement) rebuilt on 1 and 2
    ranks with the same parameters: the same tissue volumes and cells, on 2 ranks bitwise
    the statistics of the image run, on 1 rank to solver tolerance;
  - with adaptive refinement and coarsening on 2 ranks: bitwise the statistics of the
    adaptive image run (labels of coarsened and refined cells from the saved forest);
    a restart from a checkpoint of it continues bitwise, and so does a run continued
    past its end time (the adaptation due there is done on resuming); likewise on a box
    the model builds coarser (the saved mesh keeps the level not coarsened below);
  - Global refinements above the saved count refine it uniformly (8x the cells)."""
import math
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402
from image_case import BASE, VOXEL_ML, counts, names, same_volumes, volumes, write_images  # noqa: E402

write_images()
PRM = os.path.join(HERE, "errors", "base.prm")
TARGET = ["Mesh/Target refinements=1"]
ADAPT = ["Adaptivity/Enabled=true", "Adaptivity/Fields=temperature: 1",
         "Adaptivity/Coarsening fraction=0.3", "Adaptivity/Refinement fraction=0.1",
         "Treatment schedule/End time=120", "Output/Output interval=30"]


def fresh_run(overrides, output, ranks=1):
    shutil.rmtree(output, ignore_errors=True)
    return run(PRM, BASE + overrides, output=output, ranks=ranks)


def cells(output):
    return int(re.search(r"Ferrotherm: (\d+) cells", open(os.path.join(output, "log.txt")).read()).group(1))


def largest_difference(a, b, prefixes=None):
    """The largest difference of two statistics tables relative to each column's size
    (wall time and memory columns left out; only the columns starting with `prefixes` if
    given); NaN against a number counts as infinite, NaN against NaN as equal."""
    first, second = read_csv(os.path.join(a, "statistics.csv")), read_csv(os.path.join(b, "statistics.csv"))
    worst, where = 0.0, ""
    for name, column in first.items():
        if "wall" in name or "memory" in name or (prefixes and not name.startswith(prefixes)):
            continue
        scale = max([abs(v) for v in column if math.isfinite(v)] + [1e-300])
        for x, y in zip(column, second[name]):
            if math.isnan(x) and math.isnan(y):
                continue
            difference = abs(x - y) / scale if not (math.isnan(x) or math.isnan(y)) else math.inf
            if difference > worst:
                worst, where = difference, name
    print(f"{a} vs {b}: largest difference {worst:.2e} in {where}")
    return worst, len(first["time_s"]) == len(second["time_s"])


fresh_run(TARGET + ["Mesh/Save mesh=true"], "out-image", ranks=2)
found = volumes("out-image")
for label, count in counts.items():
    expected = count * VOXEL_ML
    error = abs(found[names[label]] - expected) / expected
    check(error <= 1e-9, f"image mesh with a Target refinement: {names[label]} {found[names[label]]:.6g} mL = "
          f"{count} voxels x {VOXEL_ML:.4g} mL (error {error:.1e})")
saved = os.path.abspath("out-image/mesh.ftmesh")
check(open(saved).readline().strip() == "ferrotherm-saved-mesh 1", "the run wrote out-image/mesh.ftmesh")
SAVED = ["Mesh/Model=saved", f"Mesh/Saved/File={saved}"]

for ranks in (1, 2):
    output = f"out-saved-{ranks}"
    fresh_run(SAVED + TARGET, output, ranks=ranks)
    check(same_volumes(volumes(output), volumes("out-image")) and cells(output) == cells("out-image"),
          f"saved mesh on {ranks} rank(s): the same {cells(output)} cells and tissue volumes")
    # 1 rank: temperatures and powers to solver tolerance (the round-off terms,
    # such as the balance error, are not compared)
    worst, same_rows = largest_difference("out-image", output,
                                          None if ranks == 2 else ("T_", "target_T", "power_"))
    limit = 0.0 if ranks == 2 else 1e-8
    check(same_rows and worst <= limit,
          f"saved mesh on {ranks} rank(s): statistics of the image run to {worst:.1e} (limit {limit:g})")

fresh_run(ADAPT, "out-image-adaptive", ranks=2)
fresh_run(SAVED + ADAPT + ["Checkpoint/Time interval=60"], "out-saved-adaptive", ranks=2)
worst, same_rows = largest_difference("out-image-adaptive", "out-saved-adaptive")
check(same_rows and worst == 0.0,
      f"adaptive runs on the image and the saved mesh: statistics differ by {worst:.1e}")

checkpoint = os.path.abspath(os.path.join("out-saved-adaptive", "checkpoints",
                                          sorted(os.listdir("out-saved-adaptive/checkpoints"))[0]))
fresh_run(SAVED + ADAPT + ["Checkpoint/Time interval=60", f"Checkpoint/Resume={checkpoint}"],
          "out-saved-resumed", ranks=2)
worst, same_rows = largest_difference("out-saved-adaptive", "out-saved-resumed")
check(same_rows and worst == 0.0,
      f"adaptive run on the saved mesh resumed from {os.path.basename(checkpoint)}: differs by {worst:.1e}")

# Continued past its end time (its At-end checkpoint, a longer End time): the adaptation
# due at the old end is done first, as in the uninterrupted run.
fresh_run(SAVED + ADAPT + ["Treatment schedule/End time=60"], "out-saved-continued", ranks=2)
run(PRM, BASE + SAVED + ADAPT + ["Checkpoint/Resume=auto"], output="out-saved-continued", ranks=2)
worst, same_rows = largest_difference("out-image-adaptive", "out-saved-continued")
check(same_rows and worst == 0.0,
      f"adaptive run on the saved mesh continued from its end at 60 s to 120 s: differs by {worst:.1e}")

# A box built coarser by the model (subdivisions 4, 4, 2: one built-in refinement): the
# saved mesh keeps the level adaptivity does not coarsen below.
BOX = ["Mesh/Model=box", "Mesh/Box/Subdivisions=4, 4, 2", "Mesh/Global refinements=1",
       "Tissues/Target tissues=", "Transport/Prescribed/Iron by label=",
       "Heat/Boundary conditions=x_min: fixed temperature 45"]
box_adapt = ADAPT + ["Adaptivity/Refinement fraction=0.3"]
fresh_run(BOX + ["Mesh/Save mesh=true"], "out-box")
fresh_run(BOX + box_adapt, "out-box-adaptive")
fresh_run(BOX + box_adapt + ["Mesh/Model=saved", f"Mesh/Saved/File={os.path.abspath('out-box/mesh.ftmesh')}"],
          "out-box-saved-adaptive")
worst, same_rows = largest_difference("out-box-adaptive", "out-box-saved-adaptive")
check(same_rows and worst == 0.0,
      f"adaptive runs on a box (one built-in refinement) and on its saved mesh: differ by {worst:.1e}")
# The control: the same file claiming no built-in refinement lets adaptivity coarsen the
# box's cells one level further, and the runs differ.
with open("out-box/mesh.ftmesh") as original, open("box-no-built-in.ftmesh", "w") as edited:
    edited.write(original.read().replace("built_in_refinements 1", "built_in_refinements 0"))
fresh_run(BOX + box_adapt + ["Mesh/Model=saved", f"Mesh/Saved/File={os.path.abspath('box-no-built-in.ftmesh')}"],
          "out-box-control")
worst, same_rows = largest_difference("out-box-adaptive", "out-box-control")
check(worst > 1e-6, f"control: without the built-in refinement the adaptive run differs (by {worst:.1e})")

fresh_run(SAVED, "out-saved-plain")
fresh_run(SAVED + ["Mesh/Global refinements=1"], "out-saved-refined")
check(cells("out-saved-refined") == 8 * cells("out-saved-plain") and
      same_volumes(volumes("out-saved-refined"), volumes("out-saved-plain")),
      f"Global refinements = 1 on the saved mesh: {cells('out-saved-refined')} cells = 8 x "
      f"{cells('out-saved-plain')}, the same tissue volumes")
finish()
