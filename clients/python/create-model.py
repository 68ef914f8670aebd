#!/usr/bin/env python3
"""Step 3: create a model. Categories are the class sub-folders of DATA_DIR (or give them as arguments).

  python3 create-model.py                      # categories from $DATA_DIR's sub-folders
  python3 create-model.py Tshirt Trouser Bag   # explicit categories
  python3 create-model.py path/to/train        # categories from that folder

Prints only the model id on stdout, so: export NANONETS_MODEL_ID=$(python3 create-model.py)
"""
from __future__ import annotations

import os
import sys

from tailor_client import EXIT_USAGE, TailorClient, default_data_dir, run_script, scan_class_folders


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) == 1 and os.path.isdir(argv[0]) or not argv:
        categories = scan_class_folders(argv[0] if argv else default_data_dir())[0]
    else:
        categories = argv
    if len(categories) < 2:
        print("create-model.py: a model needs at least two categories", file=sys.stderr)
        return EXIT_USAGE
    model = TailorClient().create_model(categories)
    print(model["id"])
    print(f"Created model with categories {', '.join(categories)}", file=sys.stderr)
    print(f"NEXT RUN: export NANONETS_MODEL_ID={model['id']}", file=sys.stderr)
    print("THEN RUN: python3 clients/python/upload-training.py", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_script(main)
