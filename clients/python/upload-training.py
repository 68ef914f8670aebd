#!/usr/bin/env python3
"""Step 5: upload the training images: walks DATA_DIR (or the folder given), one sub-folder per category.

Resumable: images the model already has (same sha256) are skipped, so re-run it after an interruption.
Progress goes to stderr; the summary line to stdout. Exit 5 if some images were rejected.
"""
from __future__ import annotations

import sys

from tailor_client import EXIT_OK, EXIT_PARTIAL, TailorClient, default_data_dir, model_id_from_env, run_script


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    root = argv[0] if argv else default_data_dir()
    model_id = model_id_from_env()
    tty = sys.stderr.isatty()

    def show(p: dict) -> None:
        done = p["skipped"] + p["stored"] + p["duplicates"] + p["rejected"]
        line = f"uploading {done}/{p['total']} ({p['skipped']} already there, {p['rejected']} rejected)"
        print(("\r" + line) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    res = TailorClient().upload_folder(model_id, root, on_progress=show)
    if tty:
        print(file=sys.stderr)
    for file, message in res["rejections"]:
        print(f"rejected {file}: {message}", file=sys.stderr)
    print(f"uploaded {res['stored']} new, skipped {res['skipped']} already uploaded, {res['duplicates']} duplicates, "
          f"{res['rejected']} rejected ({res['total']} images in {len(res['categories'])} classes)")
    print("NEXT RUN: python3 clients/python/train-model.py", file=sys.stderr)
    return EXIT_PARTIAL if res["rejected"] else EXIT_OK


if __name__ == "__main__":
    run_script(main)
