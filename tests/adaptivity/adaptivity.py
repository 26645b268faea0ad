"""Adaptive refinement (section Adaptivity):
  sphere     the steady heated sphere (a tumour of radius R = 5 mm heated by
             Q = 1e5 W/m^3 in perfused tissue inside a sphere of radius 5 cm held at
             37 C, Pennes 1948 closed form) on an ungraded two-layer mesh: Kelly-driven
             refinement from level 2 reaches the L2 error of the uniform level-4 mesh
             with at most 30% of its cells
  balance N  tests/checkpoint/restart.prm (every layer on) adapting at every output to
             temperature and iron, with coarsening, on N ranks: the heat and iron
             balances close to 1e-9 with the mesh-change terms booked, the cell bound
             holds; on 2 ranks the meshes and results equal the 1-rank run (solver
             tolerance), and a restart from a checkpoint of the adapted run continues it
             to 1e-10 of each column's magnitude (measured: bitwise; the mesh is rebuilt
             from the p4est forest at every refinement, so the loaded mesh orders its
             cells as the adapted one)
  immunotherapy  the same with Immune/Model = mnp immunotherapy: species and
             compartments carried across refinements, restart to 1e-10, 1 = 2 ranks
  flat       a box without curved boundaries refined (no coarsening) around the iron:
             refinement keeps the iron mass and the heat content to round-off
  adaptivity.py CASE [N]"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, heated_sphere_constants, read_csv  # noqa: E402
from ferrotherm_testing import run as run_in  # noqa: E402

RESTART = os.path.join(HERE, "checkpoint", "restart.prm")
ADAPT = ["Adaptivity/Enabled=true", "Adaptivity/Fields=temperature: 1, iron: 1",
         "Adaptivity/Coarsening fraction=0.1", "Adaptivity/Maximum cells=5000"]


def run(prm, overrides, output, ranks=1):
    """A run into a fresh output directory (no results or checkpoints of earlier runs)."""
    shutil.rmtree(output, ignore_errors=True)
    return run_in(prm, overrides, ranks=ranks, output=output)


def case_sphere():
    radius = 0.005
    m, a, b = heated_sphere_constants(radius)
    common = [f"Function constants=A={a!r}, B={b!r}, m={m!r}, R={radius}, Ro=0.05, QW=50",
              "Mesh/Layered sphere/Radii=0.005, 0.05", "Mesh/Layered sphere/Labels=2, 1"]
    prm = os.path.join(HERE, "verification", "heated_sphere.prm")
    run(prm, common + ["Mesh/Global refinements=4"], output="uniform")
    uniform = read_csv("uniform/errors.csv")
    run(prm, common + ["Mesh/Global refinements=2", "Adaptivity/Enabled=true",
                       "Adaptivity/Refinement fraction=0.1", "Adaptivity/Coarsening fraction=0",
                       "Adaptivity/Steady cycles=6", "Adaptivity/Maximum cells=15000"],
        output="adaptive")
    adaptive = read_csv("adaptive/errors.csv")
    cells_u, cells_a = uniform["n_cells"][-1], adaptive["n_cells"][-1]
    error_u, error_a = uniform["L2_error"][-1], adaptive["L2_error"][-1]
    print(f"uniform: {cells_u:.0f} cells, L2 {error_u:.4e} K; adaptive: {cells_a:.0f} cells "
          f"({100 * cells_a / cells_u:.1f}%), L2 {error_a:.4e} K")
    check(error_a <= error_u, f"adaptive L2 error {error_a:.3e} <= uniform {error_u:.3e}")
    check(cells_a <= 0.3 * cells_u, f"with {cells_a:.0f} <= 30% of {cells_u:.0f} cells")


def largest(column):
    return max(abs(v) for v in column)


def case_balance(ranks):
    run(RESTART, ADAPT, f"adaptive-{ranks}", ranks=ranks)
    stats = read_csv(f"adaptive-{ranks}/statistics.csv")
    cells = stats["cells"]
    check(stats["mesh_adaptations"][-1] >= 10 and len(set(cells)) >= 4,
          f"the mesh adapts ({int(stats['mesh_adaptations'][-1])} adaptations, cells {sorted(set(int(c) for c in cells))})")
    check(max(cells) <= 5000 * 1.1, f"the cell bound holds: at most {max(cells):.0f} cells (bound 5000, +10% 2:1 balance)")
    heat, iron = largest(stats["energy_balance_error"]), largest(stats["iron_mass_balance_error"])
    check(heat <= 1e-9, f"heat balance across the mesh changes {heat:.1e} <= 1e-9")
    check(iron <= 1e-9, f"iron mass balance across the mesh changes {iron:.1e} <= 1e-9")
    change = largest(stats["iron_mesh_change_kg"]) / largest(stats["iron_injected_kg"])
    print(f"iron booked as mesh change (curved tumour boundary refined): {change:.1e} of the injected")
    check(change < 1e-3, "the mesh-change term is small")
    if ranks == 1:
        # A restart from the adapted run's checkpoint at 600 s continues it bitwise.
        checkpoints = sorted(os.listdir("adaptive-1/checkpoints"))
        resume = os.path.abspath(os.path.join("adaptive-1", "checkpoints", checkpoints[0]))
        run(RESTART, ADAPT + [f"Checkpoint/Resume={resume}"], output="resumed")
        resumed = read_csv("resumed/statistics.csv")
        check(resumed["time_s"] == stats["time_s"], "the resumed run has the same rows")
        worst, where = 0.0, ""
        for name in stats:
            # (the minimum iron is the size of the SUPG undershoots: solver noise)
            if name in ("wall_time_s", "preconditioner_setups", "iron_min_kg_per_m3") or \
                    "iterations" in name or name.endswith("balance_error"):
                continue
            scale = largest(stats[name]) or 1.0
            difference = max(abs(a - b) for a, b in zip(stats[name], resumed[name])) / scale
            if difference > worst:
                worst, where = difference, name
        check(worst <= 1e-10, f"resumed from {checkpoints[0]}: largest difference {worst:.1e} "
              f"({where}) <= 1e-10 of the column")
    else:
        run(RESTART, ADAPT, output="reference-1-rank")
        single = read_csv("reference-1-rank/statistics.csv")
        check(single["cells"] == cells, "2 ranks adapt to the same meshes as 1 rank")
        for name in ("T_max_C", "target_T90_C", "CEM43T90_min", "iron_mobile_kg", "iron_bound_kg",
                     "energy_mnp_J", "debris_total", "cells_total"):
            scale = largest(single[name]) or 1.0
            difference = max(abs(a - b) for a, b in zip(single[name], stats[name])) / scale
            check(difference <= 1e-7, f"{name}: 1 and 2 ranks agree to {difference:.1e} <= 1e-7")


def case_flat():
    overrides = ["Mesh/Model=box", "Mesh/Box/Lower corner=-0.03, -0.03, -0.03",
                 "Mesh/Box/Upper corner=0.03, 0.03, 0.03", "Mesh/Box/Subdivisions=4, 4, 4",
                 "Mesh/Global refinements=0", "Mesh/Target refinements=0", "Tissues/Target tissues=",
                 "Adaptivity/Enabled=true", "Adaptivity/Fields=iron: 1",
                 "Adaptivity/Coarsening fraction=0", "Adaptivity/Maximum cells=4000",
                 "Tissues/Property overrides=", "Immune/Model=none"]
    run(RESTART, overrides, output="flat")
    stats = read_csv("flat/statistics.csv")
    check(len(set(stats["cells"])) >= 3, f"the mesh refines: cells {sorted(set(int(c) for c in stats['cells']))}")
    change = largest(stats["iron_mesh_change_kg"]) / largest(stats["iron_injected_kg"])
    check(change <= 1e-12, f"refinement keeps the iron mass: change {change:.1e} <= 1e-12 of the injected")
    check(largest(stats["energy_mesh_change_J"]) <= 1e-9,
          f"refinement keeps the heat content: change {largest(stats['energy_mesh_change_J']):.1e} J")
    check(largest(stats["iron_mass_balance_error"]) <= 1e-9 and largest(stats["energy_balance_error"]) <= 1e-9,
          "balances close")


IMMUNOTHERAPY = ["Immune/Model=mnp immunotherapy", "Immune/MNP immunotherapy/Time step=50",
                 "Immune/MNP immunotherapy/Anti-PD-L1/Doses=100 s: 8300",
                 # Particle-borne anti-PD-L1, released during the AMF session.
                 "Transport/Advection diffusion/Cargo/Cargo=anti-PD-L1",
                 "Transport/Advection diffusion/Cargo/Load=50",
                 "Transport/Advection diffusion/Cargo/Release temperature=38"]
SPECIES = ["tumour_cells", "damaged_cells", "damp", "h2o2", "lipid_peroxide", "immature_dc",
           "mature_dc", "cd8_t_cells", "m1_macrophages", "m2_macrophages", "anti_pdl1"]


def largest_difference(expected, found, names):
    """The largest |a - b| over the rows, relative to the column's largest value, and where."""
    worst, where = 0.0, ""
    for name in names:
        difference = max(abs(a - b) for a, b in zip(expected[name], found[name])) / (largest(expected[name]) or 1.0)
        if difference > worst:
            worst, where = difference, name
    return worst, where


def case_immunotherapy():
    """The default immune model with particle-borne anti-PD-L1 on the adapting mesh: every
    species, compartment and the cargo are carried across the refinements (cargo conserved) (no species negative, the cell totals continuous), a
    restart from a checkpoint of the adapted run continues it to 1e-10, and 2 ranks
    agree with 1."""
    run(RESTART, ADAPT + IMMUNOTHERAPY, "immunotherapy-1")
    stats = read_csv("immunotherapy-1/statistics.csv")
    check(stats["mesh_adaptations"][-1] >= 10, f"the mesh adapts {int(stats['mesh_adaptations'][-1])} times")
    # (With the mass lumped per cell, hanging nodes coupled it off the diagonal and the
    # diffusion undershot there by 8e-6 of a species' largest value; the row sums of the
    # condensed mass keep every species >= 0.)
    released = stats["cargo_released_nmol"][-1]
    check(released > 1e-3 * stats["cargo_loaded_nmol"][-1], f"the session releases cargo ({released:.4g} nmol)")
    balance = max(stats["cargo_balance_error"])
    check(balance <= 1e-8, f"the cargo is conserved across the mesh changes ({balance:.1e} <= 1e-8)")
    lowest = min(min(stats[f"{name}_min"]) for name in SPECIES)
    check(lowest >= 0, f"no species negative across the mesh changes (lowest {lowest:.1e})")
    # Between outputs the macrophages change by their slow kinetics only: a jump at a
    # refinement would show as a step far above the neighbouring ones.
    totals = stats["m1_macrophages_total"]
    steps = [abs(b - a) / a for a, b in zip(totals, totals[1:])]
    check(max(steps) <= 1e-2, f"macrophage totals continuous across the refinements (largest step {max(steps):.1e})")
    checkpoints = sorted(os.listdir("immunotherapy-1/checkpoints"))
    resume = os.path.abspath(os.path.join("immunotherapy-1", "checkpoints", checkpoints[0]))
    run(RESTART, ADAPT + IMMUNOTHERAPY + [f"Checkpoint/Resume={resume}"], output="immunotherapy-resumed")
    resumed = read_csv("immunotherapy-resumed/statistics.csv")
    worst, where = largest_difference(stats, resumed, [f"{n}_total" for n in SPECIES] + [
        "lymph_node_mature_dc", "blood_effectors_per_mm3", "memory_t_cells", "target_tumour_cells",
        "plasma_anti_pdl1_nM", "cargo_on_mobile_nmol", "cargo_on_bound_nmol", "cargo_released_nmol"])
    check(worst <= 1e-10, f"resumed from {checkpoints[0]}: every species and compartment to {worst:.1e} ({where}) <= 1e-10")
    run(RESTART, ADAPT + IMMUNOTHERAPY, "immunotherapy-2", ranks=2)
    two = read_csv("immunotherapy-2/statistics.csv")
    check(two["cells"] == stats["cells"], "2 ranks adapt to the same meshes")
    worst, where = largest_difference(stats, two, [
        "tumour_cells_total", "damaged_cells_total", "cd8_t_cells_total", "anti_pdl1_total",
        "blood_effectors_per_mm3", "lymph_node_mature_dc"])
    check(worst <= 1e-6, f"1 and 2 ranks agree to {worst:.1e} ({where}) <= 1e-6")


case = sys.argv[1]
if case == "immunotherapy":
    case_immunotherapy()
elif case == "sphere":
    case_sphere()
elif case == "balance":
    case_balance(int(sys.argv[2]))
else:
    case_flat()
finish()
