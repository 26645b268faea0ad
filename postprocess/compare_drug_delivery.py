#!/usr/bin/python3
"""Compares the anti-PD-L1 delivered to the target by two or more Ferrotherm runs
(Immune/Model = mnp immunotherapy), e.g. the same dose carried by magnetically targeted
particles and given systemically (prm/targeted_anti_pdl1.prm).

  python3 postprocess/compare_drug_delivery.py OUTPUT_DIRECTORY...

Prints per run the cargo loaded on the particles and released [nmol], the peak and final
mean antibody in the target [nM] and its exposure (time integral, nM d); writes drug_delivery.png (target
antibody vs time) into the first directory.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_columns(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return {name: [float(row[k]) for row in rows[1:]] for k, name in enumerate(rows[0])}


def main(directories):
    figure, axis = plt.subplots(figsize=(8, 4.5))
    print(f"{'run':40s} {'cargo loaded':>13s} {'released':>10s} {'peak':>9s} "
          f"{'final':>9s} {'exposure':>10s}")
    print(f"{'':40s} {'[nmol]':>13s} {'[nmol]':>10s} {'[nM]':>9s} {'[nM]':>9s} {'[nM d]':>10s}")
    for directory in directories:
        stats = read_columns(os.path.join(directory, "statistics.csv"))
        if "target_anti_pdl1_nM" not in stats:
            sys.exit(f"{directory}/statistics.csv: no target_anti_pdl1_nM column "
                     "(needs Immune/Model = mnp immunotherapy)")
        days = [t / 86400 for t in stats["time_s"]]
        level = stats["target_anti_pdl1_nM"]
        loaded = stats.get("cargo_loaded_nmol", [0.0])[-1]
        released = stats.get("cargo_released_nmol", [0.0])[-1]
        print(f"{os.path.basename(os.path.normpath(directory)):40s} {loaded:13.4g} "
              f"{released:10.4g} {max(level):9.4g} {level[-1]:9.4g} "
              f"{stats['target_anti_pdl1_exposure_nM_d'][-1]:10.4g}")
        axis.semilogy(days, [max(v, 1e-6) for v in level], label=os.path.basename(
            os.path.normpath(directory)))
    axis.set_xlabel("time [d]")
    axis.set_ylabel("mean anti-PD-L1 in the target [nM]")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path = os.path.join(directories[0], "drug_delivery.png")
    figure.savefig(path, dpi=120)
    print("wrote", path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
