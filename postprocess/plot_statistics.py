#!/usr/bin/python3
"""Plots of a Ferrotherm run (Debian python3-numpy and python3-matplotlib).

  python3 postprocess/plot_statistics.py OUTPUT_DIRECTORY

Writes into OUTPUT_DIRECTORY:
  temperature.png  maximum temperature, target T90/T50/T10 and mean per tissue vs time,
                   CEM43T90 on a second axis;
  target_temperature_volume.png  cumulative temperature-volume histogram of the target
                   (volume fraction at or above T) at the time of the highest T90 and at
                   the end;
  immune.png       with Immune/Model = mnp immunotherapy: the target's tumour cells and
                   ICD fraction, CD8+ density, M1/M2 ratio, DAMP, anti-PD-L1 (tissue and
                   plasma), anti-CTLA-4 (plasma, when dosed) and the lymph node/blood compartments vs time in days.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_columns(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0], np.array(rows[1:], dtype=float)
    return {name: data[:, k] for k, name in enumerate(header)}


def plot_temperatures(stats, directory):
    minutes = stats["time_s"] / 60
    figure, axis = plt.subplots(figsize=(8, 4.5))
    axis.plot(minutes, stats["T_max_C"], "k-", label="maximum")
    for name, style in (("target_T10_C", "r--"), ("target_T50_C", "r-."), ("target_T90_C", "r-")):
        if name in stats:
            axis.plot(minutes, stats[name], style, label=name.replace("target_", "target ").replace("_C", ""))
    for name in stats:
        if name.startswith("T_mean_") and name.endswith("_C"):
            axis.plot(minutes, stats[name], ":", label="mean " + name[7:-2])
    axis.set_xlabel("time [min]")
    axis.set_ylabel("temperature [°C]")
    axis.grid(alpha=0.3)
    if "CEM43T90_min" in stats:
        dose = axis.twinx()
        dose.plot(minutes, stats["CEM43T90_min"], "b-", alpha=0.5, label="CEM43T90")
        dose.set_ylabel("CEM43T90 [min]", color="b")
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path = os.path.join(directory, "temperature.png")
    figure.savefig(path, dpi=120)
    return path


def plot_histogram(stats, directory):
    path = os.path.join(directory, "target_temperature_volume.csv")
    if not os.path.exists(path):
        return None
    table = read_columns(path)
    times = np.unique(table["time_s"])
    hottest = stats["time_s"][np.nanargmax(stats["target_T90_C"])] if "target_T90_C" in stats else times[-1]
    figure, axis = plt.subplots(figsize=(6, 4.5))
    for time, style in ((hottest, "r-"), (times[-1], "k--")):
        selected = table["time_s"] == time
        axis.plot(table["T_C"][selected], 100 * table["volume_fraction_at_or_above"][selected], style,
                  label=f"t = {time / 60:.1f} min")
    axis.set_xlabel("temperature [°C]")
    axis.set_ylabel("target volume at or above [%]")
    axis.set_xlim(36, max(46, np.max(stats["T_max_C"]) + 1))
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    out = os.path.join(directory, "target_temperature_volume.png")
    figure.savefig(out, dpi=120)
    return out


def plot_immune(stats, directory):
    if "target_tumour_cells" not in stats:
        return None
    days = stats["time_s"] / 86400
    figure, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    panels = [
        (axes[0, 0], [("target_tumour_cells", "viable tumour cells", "k-")], "cells", False),
        (axes[0, 1], [("target_icd_fraction", "damaged (ICD) fraction", "r-")], "fraction", False),
        (axes[0, 2], [("target_cd8_per_mm3", "CD8+ T cells", "b-")], "cells/mm³", False),
        (axes[1, 0], [("target_m1_m2_ratio", "M1/M2", "g-"), ("target_damp", "DAMP", "m--")], "ratio, DAMP", False),
        (axes[1, 1], [("target_anti_pdl1_nM", "anti-PD-L1 in the target", "c-"),
                      ("plasma_anti_pdl1_nM", "in plasma", "c--"),
                      ("plasma_anti_ctla4_nM", "anti-CTLA-4 in plasma", "r:")], "nM", False),
        (axes[1, 2], [("blood_effectors_per_mm3", "blood effectors [/mm³]", "b--"),
                      ("lymph_node_mature_dc", "mature DCs in the node", "y-"),
                      ("memory_t_cells", "memory T cells", "k:")], "", True)]
    for axis, curves, label, logarithmic in panels:
        for name, title, style in curves:
            if name in stats:
                axis.plot(days, stats[name], style, label=title)
        if logarithmic:
            axis.set_yscale("symlog", linthresh=1.0)
        else:
            axis.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    for axis in axes[1]:
        axis.set_xlabel("time [d]")
    figure.tight_layout()
    out = os.path.join(directory, "immune.png")
    figure.savefig(out, dpi=110)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    statistics = os.path.join(directory, "statistics.csv")
    if not os.path.exists(statistics):
        sys.exit(f"plot_statistics.py: no statistics.csv in {directory}")
    stats = read_columns(statistics)
    written = [plot_temperatures(stats, directory), plot_histogram(stats, directory),
               plot_immune(stats, directory)]
    print("plots:", ", ".join(path for path in written if path))


if __name__ == "__main__":
    main()
