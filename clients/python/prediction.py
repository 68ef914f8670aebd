#!/usr/bin/env python3
"""Step 9: classify images (files or http(s) URLs) with the trained model.

  python3 prediction.py path/to/image.jpg [more files or URLs] [--json]

Prints "<file> <label> <probability>" per image (the arg-max, as the NanoNets script did), or the API's JSON.
Exit 5 if some images could not be classified.
"""
from __future__ import annotations

import json
import sys

from tailor_client import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, TailorClient, model_id_from_env, run_script


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    inputs = [a for a in argv if a != "--json"]
    if not inputs or inputs[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return EXIT_USAGE if not inputs else EXIT_OK
    client, model_id = TailorClient(), model_id_from_env()
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    files = [i for i in inputs if i not in urls]
    predictions = []
    if files:
        predictions += client.predict_files(model_id, files)["predictions"]
    if urls:
        predictions += client.predict_urls(model_id, urls)["predictions"]
    for shown, p in zip(files + urls, predictions):
        p["file"] = shown  # the server knows base names only
    if as_json:
        print(json.dumps({"modelId": model_id, "predictions": predictions}, indent=2))
    for p in predictions if not as_json else []:
        if p["ok"]:
            best = max(p["prediction"], key=lambda x: x["probability"])
            note = "  (unlike every class)" if p.get("outOfDistribution") else ""
            print(f"{p['file']}  {best['label']}  {best['probability']:.4f}{note}")
        else:
            print(f"{p['file']}  ERROR  {p.get('error', 'failed')}")
    return EXIT_OK if all(p["ok"] for p in predictions) else EXIT_PARTIAL


if __name__ == "__main__":
    run_script(main)
