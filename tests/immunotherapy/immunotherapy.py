"""Default immune model (Immune/Model = mnp immunotherapy).
  ode   uniform.prm: uniform fields (one box cell at 43 C, 2 mg Fe/mL, w_b = 0.002 1/s,
        an anti-PD-L1 dose at 6 h, an anti-CTLA-4 dose at 12 h) reduce the PDE system to its ODEs; the densities, the
        lymph-node/blood compartments and the plasma level (the dose plus the antibody
        the tissue exchanges with the plasma) at every output time against an independent
        SciPy integration (Radau, rtol 1e-10, checked against LSODA) of the model's equations, written here
        from the documented model. Errors at the default step (1 h) and at 10 and 5 min,
        with the second order of the coupling between the last two.
  behaviour  default parameters: without therapy the tumour grows; iron alone shifts the
        macrophages toward M1 and delays growth; at equal temperature MTD commits 2.2x the
        cells heat alone does (83% vs 37% CRT+); anti-PD-L1 after MTD raises the CD8+
        fraction 55.4% -> 64.5% and alone does not control the tumour; the distant tumour
        responds only above a priming threshold, more with anti-PD-L1 or anti-CTLA-4; a rechallenge
        recalls memory; tumour perfusion above 42 C halves the antibody delivery; the DAMP released per committed cell peaks in the ICD window
        (43-46 C) and falls under ablation."""
import math
import os
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, read_csv, run  # noqa: E402

DAY = 86400.0
# Default parameters (README, Immune/MNP immunotherapy), in 1/s, cells/mm^3, uM, nM.
K, rC, krec, kdV = 1e6, 0.3 / DAY, 0.5 / DAY, 1.0 / DAY
k43 = 0.04 / 60
sH, kcat, kF25, chi, vnz, Ea, yP, kgpx, beta = 3.0, 10.0, 70.0, 1e-3, 1e-3, 37e3, 10.0, 1e-2, 1.0
Pth, KP, kP = 1.0, 1.0, 150.0 / DAY
eh0, Tstar, sT, eox, eE, dZ, KZ, yD = 1e-5, 44.0, 3.0, 2.2e-5, 0.5e-5, 30 / DAY, 1.0, 0.01
sD, D0, lD, dD, eLN = 4 / DAY, 20.0, 2 / DAY, 0.1 / DAY, 0.7 / DAY
rho_in, pE, KD, dE, muE, KC, wx = 0.05, 1 / DAY, 1.0, 0.18 / DAY, 5 / DAY, 4e5, 0.25 / DAY
L0, L1, KLE, KQ, g2, KM2, kT = 1.0, 2.0, 1e3, 1.0, 0.5 / DAY, 100.0, 1e-3
sM0, f1, k12_0, k21_0, kFe, KFe, kZ, dM, muM = 5 / DAY, 0.3, 0.2 / DAY, 0.05 / DAY, 0.3 / DAY, 0.5, 0.2 / DAY, 0.03 / DAY, 0.2 / DAY
kv, kon, KA, dA = 0.05, 0.5 / DAY, 0.4, 0.1 / DAY
dDL, pL, KL, HILL, rhoM, dEs, Vb, fmem, dMT = 0.5 / DAY, 1e8 / DAY, 400.0, 2.0, 20 / DAY, 0.3 / DAY, 5e6, 0.05, 5e-3 / DAY
MMAX = 2e7  # memory capacity [cells]
KCT, ALPHA_C, VD_CT, HALF_CT = 5.0, 2.0, 7.2, 15.4 * 86400.0  # anti-CTLA-4 (ipilimumab)
R_GAS = 8.314462618


def ctla4_plasma(t, ctla4_doses):
    return sum(a / VD_CT * 2 ** (-(t - t0) / HALF_CT) for t0, a in ctla4_doses if t > t0)


def model(T, iron, wb, volume_mm3, doses, vd=3.0, half_life=27 * DAY, hill=HILL, priming_half=KL,
          ctla4_doses=()):
    kh = k43 * (0.5 if T >= 43 else 0.25) ** (43 - T)
    eps_h = eh0 * math.exp(-(T - Tstar) ** 2 / (2 * sT ** 2))
    arr = lambda ref: math.exp(-Ea / R_GAS * (1 / (T + 273.15) - 1 / ref))  # noqa: E731
    g = kF25 * arr(298.15) * chi * iron / 55.845 + vnz * arr(310.15) * iron
    gpx = kgpx / (1 + beta * max(T - 41, 0))
    k21_iron = k21_0 + kFe * iron / (KFe + iron)

    def plasma(t):
        return sum(a / vd * 2 ** (-(t - t0) / half_life) for t0, a in doses if t > t0)

    def rhs(t, y):
        C, V, Z, H, P, Di, Dm, E, M1, M2, A, DL, Es, MT, R = y
        Ap = plasma(t) + R / vd  # the doses and what the tissue returned [nM]
        N = C + V + Di + Dm + E + M1 + M2
        s = C / (KC + C)
        q = max(P - Pth, 0)
        kox = kP * q / (KP + q)
        b = A / (A + KA)
        L = L0 + L1 * E / (KLE + E)
        phi = 1 / (1 + L * (1 - b) / KQ)
        kill = muE * phi * E * s
        sz = Z / (KZ + Z)
        mat = lD * Di * sz
        k12, k21, sM = k12_0 * s, k21_iron + kZ * sz, sM0 * (1 + sz)
        dC = rC * C * (1 - N / K) - (kh + kox) * C + krec * V - kill - muM * M1 * s
        dV = (kh + kox) * C - (krec + kdV) * V
        dZdt = eps_h * kh * C + eox * kox * C + eE * kill - dZ * Z - yD * mat
        dH = sH * (C + V) / K - kcat * H - g * H
        dP = yP * g * H - gpx * P
        dDi = sD * (1 - Di / D0) - mat - dD * Di
        dDm = mat - (dD + eLN) * Dm
        dEt = (rho_in * wb * Es + pE * E * Dm / (KD + Dm) - dE * E - wx * L * (1 - b) * E * s
               - g2 * M2 * E / (KM2 + M2) - kT * max(T - 45, 0) * E)
        dM1 = sM * f1 + k21 * M2 - k12 * M1 - dM * M1
        dM2 = sM * (1 - f1) + k12 * M1 - k21 * M2 - dM * M2
        dA_ = kv * wb * (Ap - A) - kon * L * C / K * A / (KA + A) - dA * A
        dR = -math.log(2) / half_life * R + kv * wb * max(A - Ap, 0) * volume_mm3 * 1e-6  # nmol
        dDL_ = eLN * Dm * volume_mm3 - dDL * DL
        x = (DL / priming_half) ** hill
        Ac = ctla4_plasma(t, ctla4_doses)
        priming = pL * (1 + ALPHA_C * Ac / (Ac + KCT))  # anti-CTLA-4 lifts priming
        dEs_ = ((priming + rhoM * MT) * x / (1 + x) - dEs * Vb * Es - rho_in * Es * wb * volume_mm3) / Vb
        dMT_ = fmem * dEs * Vb * Es * (1 - MT / MMAX) - dMT * MT
        return [dC, dV, dZdt, dH, dP, dDi, dDm, dEt, dM1, dM2, dA_, dDL_, dEs_, dMT_, dR]
    return rhs


SPECIES = ["tumour_cells", "damaged_cells", "damp", "h2o2", "lipid_peroxide", "immature_dc",
           "mature_dc", "cd8_t_cells", "m1_macrophages", "m2_macrophages", "anti_pdl1"]
COMPARTMENTS = ["lymph_node_mature_dc", "blood_effectors_per_mm3"]

mode = sys.argv[1]
if mode == "ode":
    volume = 1e3  # the 1 cm box [mm^3]
    dc0 = sD / (sD / D0 + dD)
    m2_0 = sM0 * (1 - f1) / (k21_0 + dM)
    m1_0 = (sM0 * f1 + k21_0 * m2_0) / dM
    y0 = [5e5, 0, 0, 0, 0, dc0, 0, 0, m1_0, m2_0, 0, 0, 0, 0, 0]
    doses = [(6 * 3600.0, 8300.0)]
    ctla4_doses = [(12 * 3600.0, 1420.0)]
    CTLA4 = "Immune/MNP immunotherapy/Anti-CTLA-4/Doses=12 h: 1420"
    # Integrated piecewise around the doses (their plasma levels jump).
    times = [6 * 3600.0 * k for k in range(9)]
    # Absolute tolerances 1e-12 of each quantity's scale; Radau checked against LSODA.
    scale = np.append([1e6, 1e6, 1, 1e-3, 1e-2, 20, 2, 1, 200, 100, 3e3, 400, 0.2], [100, 1])

    def reference_solution(method, hill, priming_half=KL):
        rhs = model(43.0, 2.0, 0.002, volume, doses, hill=hill, priming_half=priming_half,
                    ctla4_doses=ctla4_doses)
        states = [np.array(y0, dtype=float)]
        for a, b in zip(times[:-1], times[1:]):
            solution = solve_ivp(rhs, (a, b), states[-1], method=method, rtol=1e-10, atol=1e-12 * scale)
            check(solution.status == 0, f"{method} reference reaches t = {b / 3600:g} h")
            states.append(solution.y[:, -1].copy())
        return states

    def largest_error(reference, stats, step):
        """The largest error of the run against the reference, relative to the
        quantity's largest value over the run, and where."""
        worst, where = 0.0, ""
        for row, expected in enumerate(reference):
            for k, name in enumerate(SPECIES + COMPARTMENTS):
                value = (stats[name + "_total"][row] / volume if name in SPECIES
                         else stats[name][row])
                magnitude = max(abs(r[k]) for r in reference) or 1.0
                error = abs(value - expected[k]) / magnitude
                if error > worst:
                    worst, where = error, f"{name} at t = {times[row] / 3600:g} h"
            # The plasma level: the dose and the antibody the tissue returned (R).
            t = times[row]
            plasma = sum(a / 3.0 * 2 ** (-(t - t0) / (27 * DAY)) for t0, a in doses if t > t0)
            plasma += expected[14] / 3.0
            error = abs(stats["plasma_anti_pdl1_nM"][row] - plasma) / (8300 / 3.0)
            if error > worst:
                worst, where = error, f"plasma anti-PD-L1 at t = {t / 3600:g} h"
            error = abs(stats["plasma_anti_ctla4_nM"][row] - ctla4_plasma(t, ctla4_doses)) / (1420 / VD_CT)
            if error > worst:
                worst, where = error, f"plasma anti-CTLA-4 at t = {t / 3600:g} h"
            check(min(stats[name + "_min"][row] for name in SPECIES) >= -1e-10 * 1e6,
                  f"{step}, t = {t / 3600:g} h: no species negative")
        return worst, where

    reference = reference_solution("Radau", HILL)
    spread = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300 + scale)))
                 for a, b in zip(reference, reference_solution("LSODA", HILL)))
    check(spread <= 1e-7, f"the two reference integrators agree to {spread:.1e}")
    errors = {}
    for step in ("1 h", "10 min", "5 min"):
        output = "out-ode-" + step.replace(" ", "")
        run(os.path.join(HERE, "immunotherapy", "uniform.prm"),
            [f"Immune/MNP immunotherapy/Time step={step}", CTLA4], output=output)
        stats = read_csv(os.path.join(output, "statistics.csv"))
        check(stats["time_s"] == times, f"{step}: outputs every 6 h")
        errors[step], where = largest_error(reference, stats, step)
        print(f"time step {step}: largest error {errors[step]:.2e} of the quantity's largest value ({where})")
    order = math.log2(errors["10 min"] / errors["5 min"])
    print(f"observed order of the splitting {order:.2f}")
    check(errors["5 min"] <= 1e-5, f"the PDE system with uniform fields follows its ODEs: {errors['5 min']:.1e} <= 1e-5")
    check(order >= 1.8, f"the error falls at second order with the step ({order:.2f} >= 1.8)")
    check(errors["1 h"] <= 1e-2, f"at the default step (1 h): {errors['1 h']:.1e} <= 1e-2")
    # Michaelis-Menten priming (Hill exponent 1) instead of the default threshold.
    run(os.path.join(HERE, "immunotherapy", "uniform.prm"),
        ["Immune/MNP immunotherapy/Time step=5 min", CTLA4, "Immune/MNP immunotherapy/Lymph node/Priming Hill exponent=1",
         "Immune/MNP immunotherapy/Lymph node/Priming half-saturation=1e4"], output="out-ode-hill")
    error, where = largest_error(reference_solution("Radau", 1.0, 1e4), read_csv("out-ode-hill/statistics.csv"), "Hill 1")
    print(f"priming Hill exponent 1 (K_L = 1e4), 5 min: largest error {error:.2e} ({where})")
    check(error <= 1e-5, f"with a priming Hill exponent 1: {error:.1e} <= 1e-5")
elif mode == "behaviour":
    prm = os.path.join(HERE, "immunotherapy", "uniform.prm")

    def uniform(output, temperature, iron, end, extra=()):
        # Above 45 C (the arterial limit) without perfusion: insulated, T stays put.
        heat = ([f"Heat/Arterial temperature={temperature}"] if temperature <= 45
                else ["Tissues/Property overrides=tumour: perfusion_rate=0"])
        run(prm, [*heat, f"Heat/Initial temperature={temperature}",
                  f"Transport/Prescribed/Iron by label=2: {iron}", "Immune/MNP immunotherapy/Anti-PD-L1/Doses=",
                  f"Treatment schedule/End time={end}", "Output/Output interval=1 d"
                  if end.endswith("d") else f"Output/Output interval={end}", *extra], output=output)
        return read_csv(os.path.join(output, "statistics.csv"))

    # Without therapy (37 C, no iron, no drug) the tumour grows; iron alone shifts the
    # macrophages toward M1 (Zanganeh 2016) and delays the growth.
    plain = uniform("out-untreated", 37, 0, "7 d")
    cells = plain["target_tumour_cells"]
    check(all(b > a for a, b in zip(cells, cells[1:])) and cells[-1] > 1.2 * cells[0],
          f"untreated: the tumour grows every day ({cells[0]:.3e} -> {cells[-1]:.3e} cells)")
    iron = uniform("out-iron-only", 37, 2, "7 d")
    ratio_plain, ratio_iron = plain["target_m1_m2_ratio"][-1], iron["target_m1_m2_ratio"][-1]
    check(ratio_iron > 1.5 * ratio_plain,
          f"iron alone shifts macrophages toward M1: M1/M2 {ratio_plain:.2f} -> {ratio_iron:.2f}")
    check(iron["target_tumour_cells"][-1] < plain["target_tumour_cells"][-1],
          f"iron alone delays growth: {iron['target_tumour_cells'][-1]:.4e} < {plain['target_tumour_cells'][-1]:.4e} cells")
    # Equal temperature, MTD vs heat only (Biology A6.1): one 30-min session of a uniform
    # field on 2 mg Fe/mL (constant SLP 24 W/g Fe: 43.1 C after 20 min) with the Fenton and
    # nanozyme chemistry (MTD) and without (chi = 0, v_nz = 0: heat only). The committed
    # (CRT+) fraction V/(C + V) 1 h after the session against the reported 83% (FVIO-GO,
    # MTD) vs 37% (heat only) CRT+ cells; more mature DCs after MTD.
    def session(output, extra=()):
        run(prm, ["Heat/Arterial temperature=37", "Heat/Initial temperature=37",
                  "Electromagnetics/Uniform/Field amplitude=5000", "Heating/Model=constant",
                  "Heating/Constant/Specific loss power=24e3", "Treatment schedule/AMF sessions=2 h + 30 min",
                  "Heat/Adaptive time step=true", "Heat/Time step=10", "Heat/Maximum time step=1 h",
                  "Immune/MNP immunotherapy/Anti-PD-L1/Doses=", "Immune/MNP immunotherapy/Time step=1 h",
                  "Immune/MNP immunotherapy/Reaction tolerance=1e-6",
                  "Treatment schedule/End time=1 d", "Output/Output interval=30 min", *extra], output=output)
        return read_csv(os.path.join(output, "statistics.csv"))
    mtd = session("out-mtd")
    heat_only = session("out-heat-only", ["Immune/MNP immunotherapy/ROS/Labile iron fraction=0",
                                          "Immune/MNP immunotherapy/ROS/Nanozyme activity at 37 C=0"])
    after = mtd["time_s"].index(3.5 * 3600)
    peak_T = max(mtd["T_max_C"])
    check(abs(peak_T - max(heat_only["T_max_C"])) < 1e-9 and 42.8 < peak_T < 43.4,
          f"both arms at the same temperature ({peak_T:.2f} C)")
    icd_mtd, icd_heat = mtd["target_icd_fraction"][after], heat_only["target_icd_fraction"][after]
    print(f"CRT+ (committed) fraction 1 h after the session: MTD {icd_mtd:.3f}, heat only {icd_heat:.3f}, "
          f"ratio {icd_mtd / icd_heat:.2f}")
    check(0.32 <= icd_heat <= 0.42, f"heat only commits {icd_heat:.1%} of the cells (reported 37%)")
    check(0.78 <= icd_mtd <= 0.88, f"MTD commits {icd_mtd:.1%} (reported 83%)")
    check(2.0 <= icd_mtd / icd_heat <= 2.5, f"ratio {icd_mtd / icd_heat:.2f} in [2.0, 2.5] (reported 2.24)")
    dcs_mtd, dcs_heat = mtd["mature_dc_total"][-1], heat_only["mature_dc_total"][-1]
    check(dcs_mtd > 1.5 * dcs_heat, f"and more mature DCs after a day: {dcs_mtd:.0f} vs {dcs_heat:.0f}")
    # 21 days with a lumped distant tumour (1 cm^3, untreated): three sessions (days 0, 2,
    # 4) at constant SLP (12 W/g Fe: mild, 40 C; 24 W/g Fe: 43 C), heat-only particles
    # (chi = 0, v_nz = 0) or MTD; anti-PD-L1 8300 nmol on days 1, 4, 7.
    HEAT_ONLY = ["Immune/MNP immunotherapy/ROS/Labile iron fraction=0",
                 "Immune/MNP immunotherapy/ROS/Nanozyme activity at 37 C=0"]
    DOSES = "1 d: 8300; 4 d: 8300; 7 d: 8300"
    CTLA4_DOSES = "Immune/MNP immunotherapy/Anti-CTLA-4/Doses=1 d: 1420; 4 d: 1420; 7 d: 1420"

    def course(output, slp, iron=2, doses="", sessions="2 h + 30 min; 2 d + 30 min; 4 d + 30 min", extra=()):
        return session(output, [f"Heating/Constant/Specific loss power={slp}",
                                f"Treatment schedule/AMF sessions={sessions if slp > 0 else 'never'}",
                                f"Transport/Prescribed/Iron by label=2: {iron}",
                                f"Immune/MNP immunotherapy/Anti-PD-L1/Doses={doses}",
                                "Immune/MNP immunotherapy/Distant tumour/Volume=1000",
                                "Treatment schedule/End time=21 d", "Output/Output interval=1 d", *extra])

    def day(stats, name, d):
        return stats[name][stats["time_s"].index(d * DAY)]
    arms = {"untreated": course("out-course-untreated", 0, iron=0),
            "mild heat": course("out-course-mild", 12e3, extra=HEAT_ONLY),
            "heat": course("out-course-heat", 24e3, extra=HEAT_ONLY),
            "MTD": course("out-course-mtd", 24e3),
            "MTD + anti-PD-L1": course("out-course-mtd-a", 24e3, doses=DOSES),
            "MTD + anti-CTLA-4": course("out-course-mtd-c", 24e3, extra=[CTLA4_DOSES]),
            "anti-PD-L1 alone": course("out-course-a", 0, iron=0, doses=DOSES)}
    distant = {arm: stats["distant_tumour_cells"][-1] for arm, stats in arms.items()}
    blood = {arm: max(stats["blood_effectors_per_mm3"]) for arm, stats in arms.items()}
    for arm in arms:
        print(f"{arm:18s} distant tumour on day 21 {distant[arm]:.4e} cells "
              f"({distant[arm] / distant['untreated'] - 1:+.2%}), peak blood effectors {blood[arm]:.3g}/mm^3, "
              f"CD8+ fraction on day 7 {day(arms[arm], 'target_cd8_fraction', 7):.3f}")
    # Checkpoint blockade (A6.3): MH + anti-PD-L1 raises the CD8+ fraction 55.4% -> 64.5%.
    alone, blocked = day(arms["MTD"], "target_cd8_fraction", 7), day(arms["MTD + anti-PD-L1"], "target_cd8_fraction", 7)
    check(abs(alone - 0.554) <= 0.02, f"three MTD sessions: {alone:.1%} CD8+ of the T cells on day 7 (reported 55.4%)")
    check(abs(blocked - 0.645) <= 0.02, f"with anti-PD-L1: {blocked:.1%} (reported 64.5%)")
    # Anti-PD-L1 alone does not control a bulky tumour without priming.
    check(arms["anti-PD-L1 alone"]["target_tumour_cells"][-1] > 0.99 * arms["untreated"]["target_tumour_cells"][-1]
          and blood["anti-PD-L1 alone"] < 1, "anti-PD-L1 alone: no priming, the tumour grows as untreated")
    # Abscopal effect (A6.4): the distant tumour responds only above a priming threshold,
    # more strongly with anti-PD-L1.
    check(blood["mild heat"] < 1 and abs(distant["mild heat"] / distant["untreated"] - 1) < 1e-3,
          "below the priming threshold (mild heat) the distant tumour grows as untreated")
    check(blood["MTD"] > 50 and distant["MTD"] < 0.995 * distant["untreated"],
          f"MTD primes ({blood['MTD']:.0f} effectors/mm^3 of blood) and slows the distant tumour")
    check(distant["MTD + anti-PD-L1"] < 0.95 * distant["untreated"]
          and distant["MTD + anti-PD-L1"] < distant["MTD"] - 3 * (distant["untreated"] - distant["MTD"]),
          "with anti-PD-L1 the distant tumour responds more strongly")
    gain = (distant["untreated"] - distant["MTD + anti-CTLA-4"]) / (distant["untreated"] - distant["MTD"])
    check(blood["MTD + anti-CTLA-4"] > 1.3 * blood["MTD"] and gain > 1.3,
          f"anti-CTLA-4 (3 x 1420 nmol) lifts priming in the node: peak blood effectors "
          f"{blood['MTD + anti-CTLA-4'] / blood['MTD']:.2f} x, distant response {gain:.2f} x MTD alone (> 1.3)")
    # Memory (A6.5): a rechallenge (a heat session on day 14) two weeks after priming
    # raises the systemic effectors faster than in a naive host, through the memory cells.
    primed = course("out-primed", 24e3, sessions="2 h + 30 min; 14 d + 30 min", extra=HEAT_ONLY)
    naive = course("out-naive", 24e3, sessions="14 d + 30 min", extra=HEAT_ONLY)
    amnesic = course("out-amnesic", 24e3, sessions="2 h + 30 min; 14 d + 30 min",
                     extra=[*HEAT_ONLY, "Immune/MNP immunotherapy/Lymph node/Memory boost=0"])
    rise = {name: day(stats, "blood_effectors_per_mm3", 16) - day(stats, "blood_effectors_per_mm3", 14)
            for name, stats in (("primed", primed), ("naive", naive), ("without memory", amnesic))}
    print("blood effectors gained in the 2 days after the day-14 session:",
          ", ".join(f"{name} {value:.1f}/mm^3" for name, value in rise.items()))
    check(rise["primed"] > 2 * rise["naive"] and rise["primed"] > 2 * rise["without memory"],
          "the recall response is faster than the primary one, through the memory cells")
    # Perfusion coupling (A6.7): tumour perfusion (Lang et al. 1999) halves above 42 C, and
    # with it the antibody reaching the tumour; with constant perfusion T does not matter.
    LANG = "Tissues/Property overrides=tumour: perfusion_model=lang tumour"
    delivered = {}
    for model, extra in (("constant", []), ("lang tumour", [LANG])):
        for temperature in (37, 44):
            stats = uniform(f"out-perfusion-{model.replace(' ', '-')}-{temperature}", temperature, 0, "1 h",
                            [*extra, "Immune/MNP immunotherapy/Anti-PD-L1/Doses=0: 8300"])
            delivered[model, temperature] = stats["target_anti_pdl1_nM"][-1]
    print("anti-PD-L1 in the tumour after 1 h [nM]:", ", ".join(f"{m} at {t} C {v:.1f}" for (m, t), v in delivered.items()))
    # (Only the binding to the tumour cells the heat leaves differs: 1e-5.)
    check(abs(delivered["constant", 44] / delivered["constant", 37] - 1) < 1e-4,
          "constant perfusion: the same delivery at 37 and 44 C")
    ratio = delivered["lang tumour", 44] / delivered["lang tumour", 37]
    check(0.45 <= ratio <= 0.6, f"tumour perfusion above 42 C: {ratio:.2f} of the delivery at 37 C")
    # Immunogenicity of heat: DAMP released per committed cell after 30 min at T peaks in
    # the ICD window (43-46 C) and falls under ablation.
    per_cell = {}
    for temperature in (40, 42, 43, 44, 45, 46, 48, 52):
        stats = uniform(f"out-window-{temperature}", temperature, 0, "30 min")
        per_cell[temperature] = stats["damp_total"][-1] / stats["damaged_cells_total"][-1]
    print("DAMP per damaged cell after 30 min:", ", ".join(f"{t} C: {v:.3e}" for t, v in per_cell.items()))
    best = max(per_cell, key=per_cell.get)
    check(43 <= best <= 46, f"ICD per killed cell peaks at {best} C, within 43-46 C")
    check(per_cell[52] < 0.5 * per_cell[best], "and falls under ablation (52 C: below half the peak)")
else:
    sys.exit("usage: immunotherapy.py ode|behaviour")
finish()
