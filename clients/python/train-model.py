#!/usr/bin/env python3
"""Step 6: start training. Prints the run id on stdout and returns at once.

  python3 train-model.py [--seed N] [--wait]

With --wait, polls until the run has finished, printing progress on stderr; exit 3 if it failed or was canceled.
"""
from __future__ import annotations

import sys

from tailor_client import EXIT_OK, EXIT_TRAINING_FAILED, EXIT_USAGE, TailorClient, model_id_from_env, run_script


def main(argv: list[str]) -> int:
    wait, seed = False, None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--wait":
            wait = True
        elif a == "--seed" and args:
            seed = int(args.pop(0))
        else:
            print(__doc__, file=sys.stderr)
            return EXIT_USAGE if a not in ("-h", "--help") else EXIT_OK
    client, model_id = TailorClient(), model_id_from_env()
    run = client.train(model_id, seed=seed)
    print(run["id"])
    if not wait:
        print("Training started. NEXT RUN: watch -n 10 python3 clients/python/model-state.py", file=sys.stderr)
        return EXIT_OK
    last = [""]

    def show(r: dict) -> None:
        line = f"{r['status']}: {r['phase']} {round(r['progress'] * 100)}%" + (f", ETA {r['etaSeconds']}s" if r.get("etaSeconds") is not None else "")
        if line != last[0]:
            print(line, file=sys.stderr, flush=True)
            last[0] = line

    final = client.wait_for_run(model_id, run["id"], on_progress=show)
    if final["status"] != "succeeded":
        print(f"train-model.py: training {final['status']}: {final.get('error') or ''}", file=sys.stderr)
        return EXIT_TRAINING_FAILED
    return EXIT_OK


if __name__ == "__main__":
    run_script(main)
