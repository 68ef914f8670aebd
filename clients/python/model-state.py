#!/usr/bin/env python3
"""Step 7: the model's state as one line, "<state> <status>" (5 means ready for prediction).

  watch -n 10 python3 clients/python/model-state.py     # as in the NanoNets tutorial
  python3 clients/python/model-state.py --wait          # for scripts: poll until trained (exit 3 on failure)
"""
from __future__ import annotations

import os
import sys
import time

from tailor_client import EXIT_OK, EXIT_TRAINING_FAILED, EXIT_USAGE, TailorClient, model_id_from_env, run_script


def main(argv: list[str]) -> int:
    if argv not in ([], ["--wait"]):
        print(__doc__, file=sys.stderr)
        return EXIT_OK if argv in (["-h"], ["--help"]) else EXIT_USAGE
    client, model_id = TailorClient(), model_id_from_env()
    poll_s = float(os.environ.get("TAILOR_POLL_S", "2"))
    last = None
    while True:
        model = client.get_model(model_id)
        line = f"{model['state']} {model['status']}"
        if line != last:
            print(line, flush=True)
            last = line
        if not argv or model["state"] in (5, -1) and not _training(client, model_id):
            return EXIT_TRAINING_FAILED if model["state"] == -1 else EXIT_OK
        time.sleep(poll_s)


def _training(client: TailorClient, model_id: str) -> bool:
    """A retrain keeps state 5 (the old version still serves), so --wait also waits for the newest run to finish."""
    runs = client.list_runs(model_id)
    return bool(runs) and runs[0]["status"] in ("queued", "running")


if __name__ == "__main__":
    run_script(main)
