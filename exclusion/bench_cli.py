"""End-to-end benchmark of the streaming command line (``make bench`` runs ``python -m exclusion.bench_cli``).

Generates 10,000 and 100,000 valid cases (the contract's example with varied values) as JSON lines in a
temporary directory, runs ``python -m exclusion assess FILE`` on each as a subprocess and prints cases per
second, the ratio of the two times and the peak resident memory of the command. It fails (exit 1) when the
100,000-case run takes more than 12 times the 10,000-case one (the reading must stay linear) or the command
grows past 150 MB (it must hold one case at a time, not the file).

Imports no Django, like the command line it measures.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .cli import EXAMPLE_CASE

MAX_RATIO = 12.0
MAX_PEAK_MB = 150.0
SITES = ("tibia", "femur", "clavicle", "foot", "pelvis", "spine_thoracic", "fibula", "humerus")


def varied_case(rng: random.Random) -> dict[str, Any]:
    """The contract's example with its labs, symptoms, activity and lesions changed (every value valid)."""
    doc: dict[str, Any] = copy.deepcopy(EXAMPLE_CASE)
    episode = doc["episode"]
    labs = episode["labs"]
    labs["crp_mg_l"] = round(rng.uniform(0, 120), 1)
    labs["esr_mm_h"] = rng.randint(2, 90)
    labs["wbc_10e9_l"] = round(rng.uniform(3, 18), 1)
    labs["hemoglobin_g_l"] = rng.randint(95, 150)
    labs["platelets_10e9_l"] = rng.randint(150, 600)
    labs["alp_u_l"] = rng.randint(100, 400)
    labs["ldh_u_l"] = rng.randint(150, 500)
    symptoms = episode["symptoms"]
    symptoms["fever"] = rng.random() < 0.1
    symptoms["night_pain"] = rng.random() < 0.3
    symptoms["local_swelling"] = rng.random() < 0.4
    symptoms["max_temperature_c"] = round(rng.uniform(36.4, 39.5), 1) if symptoms["fever"] else 37.0
    episode["activity"]["pain_vas"] = rng.randint(0, 10)
    episode["activity"]["physician_global_vas"] = rng.randint(0, 10)
    lesions = []
    for _ in range(rng.randint(1, 6)):
        lesions.append(
            {
                "site": rng.choice(SITES),
                "side": rng.choice(("left", "right")),
                "modality": "mri",
                "marrow_oedema": True,
                "sclerosis": rng.random() < 0.5,
            }
        )
    episode["lesions"] = lesions
    return doc


def write_cases(path: Path, n: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(n):
            out.write(json.dumps(varied_case(rng)))
            out.write("\n")


def run_assess(cases: Path, output: Path) -> tuple[float, float]:
    """Seconds of wall clock for ``python -m exclusion assess`` on ``cases``, and peak RSS of children in MB.

    The runs go from small to large, so the children's peak after a run is that run's peak.
    """
    with output.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "exclusion", "assess", str(cases)],
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
        )
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"assess failed ({proc.returncode}): {proc.stderr.decode()[:2000]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    return elapsed, peak_kb / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exclusion.bench_cli", description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="cno-bench-cli-") as tmp:
        for n in (args.small, args.large):
            cases, output = Path(tmp) / f"cases-{n}.jsonl", Path(tmp) / f"out-{n}.jsonl"
            write_cases(cases, n)
            elapsed, peak_mb = run_assess(cases, output)
            with output.open("rb") as handle:
                written = sum(1 for _ in handle)
            if written != n:
                raise SystemExit(f"{n} cases in, {written} assessments out")
            results[n] = elapsed
            print(
                f"command line, {n:,} cases ({cases.stat().st_size / 1e6:,.0f} MB of JSON lines): "
                f"{elapsed:.2f} s = {n / elapsed:,.0f} cases/s; peak RSS {peak_mb:.0f} MB",
                flush=True,
            )
    ratio = results[args.large] / results[args.small]
    linear = args.large / args.small
    allowed = MAX_RATIO * linear / 10  # 12x for ten times the cases
    print(
        f"time ratio {args.large:,} / {args.small:,} cases: {ratio:.1f}x ({linear:.0f}x is linear, "
        f"at most {allowed:.0f}x); peak RSS {peak_mb:.0f} MB (at most {MAX_PEAK_MB:.0f} MB)"
    )
    ok = ratio <= allowed and peak_mb <= MAX_PEAK_MB
    if not ok:
        print("FAILED: the command line is not linear in time or flat in memory", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
