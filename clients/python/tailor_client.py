"""A Tailor client using only the Python standard library (urllib, hand-written multipart, HTTP Basic).

Configuration comes from the environment, with the NanoNets tutorial's names accepted too:
  TAILOR_URL      server base URL (default http://localhost:3000)
  TAILOR_API_KEY  API key (else NANONETS_API_KEY)
  TAILOR_MODEL_ID model id (else NANONETS_MODEL_ID)

Errors raise TailorError; `exit_code_for(err)` maps them to the exit codes the `tailor` CLI uses:
0 ok, 1 API error, 2 usage/configuration, 3 training failed, 4 server unreachable, 5 partly done.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_TRAINING_FAILED, EXIT_UNREACHABLE, EXIT_PARTIAL = 0, 1, 2, 3, 4, 5
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
DEFAULT_URL = "http://localhost:3000"


class TailorError(Exception):
    """A failed call. `status` is the HTTP status (None when the server was not reached)."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None,
                 request_id: str | None = None, body: Any = None, exit_code: int = EXIT_API):
        super().__init__(message)
        self.status, self.code, self.request_id, self.body, self.exit_code = status, code, request_id, body, exit_code

    def __str__(self) -> str:
        msg = super().__str__()
        if self.status is not None:
            msg += f" [HTTP {self.status} {self.code or ''}".rstrip() + (f", request {self.request_id}]" if self.request_id else "]")
        return msg


def env(*names: str, default: str | None = None) -> str | None:
    for n in names:
        v = os.environ.get(n, "").strip()
        if v:
            return v
    return default


def model_id_from_env() -> str:
    model_id = env("TAILOR_MODEL_ID", "NANONETS_MODEL_ID")
    if not model_id:
        raise TailorError("no model: set TAILOR_MODEL_ID (or NANONETS_MODEL_ID)", exit_code=EXIT_USAGE)
    return model_id


def encode_multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """multipart/form-data by hand: text fields, then one `file` part per (filename, bytes)."""
    boundary = "tailor-" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for filename, data in files:
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        safe = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def scan_class_folders(root: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(categories, [(category, path)]) for a folder of class sub-folders; sorted, hidden entries skipped."""
    if not os.path.isdir(root):
        raise TailorError(f"not a folder: {root}", exit_code=EXIT_USAGE)
    categories = sorted(d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d)))
    images = []
    for c in categories:
        for f in sorted(os.listdir(os.path.join(root, c))):
            p = os.path.join(root, c, f)
            if not f.startswith(".") and os.path.isfile(p) and os.path.splitext(f)[1].lower() in IMAGE_EXTENSIONS:
                images.append((c, p))
    return categories, images


class TailorClient:
    """The native /v1 API. Every method returns the decoded JSON the server documents at /docs."""

    def __init__(self, url: str | None = None, api_key: str | None = None, timeout: float = 120.0):
        self.url = (url or env("TAILOR_URL", default=DEFAULT_URL)).rstrip("/")
        self.api_key = api_key or env("TAILOR_API_KEY", "NANONETS_API_KEY")
        if not self.api_key:
            raise TailorError("no API key: set TAILOR_API_KEY (or NANONETS_API_KEY)", exit_code=EXIT_USAGE)
        self.timeout = timeout

    # --- transport
    def request(self, method: str, path: str, query: dict | None = None, json_body: Any = None,
                form: tuple[dict[str, str], list[tuple[str, bytes]]] | None = None, ok_statuses: Iterable[int] = ()) -> Any:
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        # HTTP Basic with the key as user name and an empty password, as NanoNets clients send it.
        headers = {"Authorization": "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode(),
                   "Accept": "application/json", "User-Agent": "tailor-python"}
        data = None
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = encode_multipart(*form)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                raw = res.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            body = _json_or_text(raw)
            if e.code in ok_statuses:
                return body
            raise _api_error(e.code, body, e.headers.get("x-request-id")) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise TailorError(f"cannot reach {self.url}: {reason}", exit_code=EXIT_UNREACHABLE) from None
        return _json_or_text(raw) if raw else None

    # --- account and keys
    def account(self) -> dict:
        return self.request("GET", "/v1/account")

    def update_account(self, email: str | None = None, notify_email: bool | None = None, name: str | None = None) -> dict:
        """Where training notifications go (e-mail) and whether to send them."""
        body = {k: v for k, v in {"email": email, "notifyEmail": notify_email, "name": name}.items() if v is not None}
        return self.request("PATCH", "/v1/account", json_body=body)

    def create_webhook(self, url: str, events: list[str] | None = None, model_id: str | None = None) -> dict:
        """POSTs to `url` when a run finishes or fails; the answer carries the signing secret, once."""
        body: dict[str, Any] = {"url": url}
        if events:
            body["events"] = events
        if model_id:
            body["modelId"] = model_id
        return self.request("POST", "/v1/webhooks", json_body=body)

    def list_webhooks(self) -> list[dict]:
        return self.request("GET", "/v1/webhooks")["webhooks"]

    def create_key(self, name: str | None = None, scopes: list[str] | None = None) -> dict:
        return self.request("POST", "/v1/keys", json_body={k: v for k, v in {"name": name, "scopes": scopes}.items() if v})

    def list_keys(self) -> list[dict]:
        return self.request("GET", "/v1/keys")["keys"]

    # --- models
    def create_model(self, categories: list[str], name: str | None = None) -> dict:
        body: dict[str, Any] = {"categories": list(categories)}
        if name:
            body["name"] = name
        return self.request("POST", "/v1/models", json_body=body)

    def list_models(self) -> list[dict]:
        return self.request("GET", "/v1/models")["models"]

    def get_model(self, model_id: str) -> dict:
        return self.request("GET", f"/v1/models/{urllib.parse.quote(model_id)}")

    # --- images
    def upload_files(self, model_id: str, category: str, paths: list[str]) -> dict:
        """One request; per-file outcomes in `results` (stored / duplicate / rejected). All rejected is not an exception."""
        files = []
        for p in paths:
            with open(p, "rb") as f:
                files.append((os.path.basename(p), f.read()))
        try:
            return self.request("POST", f"/v1/models/{urllib.parse.quote(model_id)}/images",
                                form=({"category": category}, files), ok_statuses=(207,))
        except TailorError as e:
            # 400 with per-file results means every file was rejected: a result to report, not a crash.
            if e.status == 400 and isinstance(e.body, dict) and "results" in e.body:
                return e.body
            raise

    def list_images(self, model_id: str) -> list[dict]:
        images, cursor = [], None
        while True:
            page = self.request("GET", f"/v1/models/{urllib.parse.quote(model_id)}/images", query={"limit": 1000, "cursor": cursor})
            images += page["images"]
            cursor = page.get("nextCursor")
            if not cursor:
                return images

    def upload_folder(self, model_id: str, root: str, concurrency: int = 4, batch_size: int = 8,
                      on_progress: Callable[[dict], None] | None = None) -> dict:
        """Uploads <root>/<Category>/*.jpg. Resumable: images already on the server (same sha256) are skipped."""
        categories, images = scan_class_folders(root)
        if not images:
            raise TailorError(f"no images in class sub-folders of {root}", exit_code=EXIT_USAGE)
        known = {c["name"] for c in self.get_model(model_id)["categories"]}
        unknown = sorted({c for c, _ in images} - known)
        if unknown:
            raise TailorError(f"folder classes not in model {model_id}: {', '.join(unknown)} "
                              f"(model categories: {', '.join(sorted(known))})", exit_code=EXIT_USAGE)
        on_server = {(i["category"], i["sha256"]) for i in self.list_images(model_id)}
        progress = {"total": len(images), "skipped": 0, "stored": 0, "duplicates": 0, "rejected": 0, "rejections": []}
        pending: list[tuple[str, str]] = []
        for c, p in images:
            with open(p, "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            if (c, sha) in on_server:
                progress["skipped"] += 1
            else:
                pending.append((c, p))
        if on_progress:
            on_progress(progress)
        batches: list[list[tuple[str, str]]] = []
        for c, p in pending:  # a request carries one category
            if batches and len(batches[-1]) < batch_size and batches[-1][0][0] == c:
                batches[-1].append((c, p))
            else:
                batches.append([(c, p)])

        def send(batch: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict]:
            return batch, self.upload_files(model_id, batch[0][0], [p for _, p in batch])

        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            for batch, res in pool.map(send, batches):
                progress["stored"] += res["stored"]
                progress["duplicates"] += res["duplicates"]
                progress["rejected"] += res["rejected"]
                progress["rejections"] += [(f"{batch[0][0]}/{r['file']}", r.get("message", "rejected"))
                                           for r in res["results"] if r["status"] == "rejected"]
                if on_progress:
                    on_progress(progress)
        progress["categories"] = categories
        return progress

    # --- training
    def train(self, model_id: str, seed: int | None = None, time_budget_s: int | None = None) -> dict:
        body: dict[str, Any] = {}
        if seed is not None:
            body["seed"] = seed
        if time_budget_s:
            body["settings"] = {"timeBudgetSeconds": time_budget_s}
        return self.request("POST", f"/v1/models/{urllib.parse.quote(model_id)}/train", json_body=body)

    def get_run(self, model_id: str, run_id: str) -> dict:
        return self.request("GET", f"/v1/models/{urllib.parse.quote(model_id)}/runs/{urllib.parse.quote(run_id)}")

    def list_runs(self, model_id: str) -> list[dict]:
        return self.request("GET", f"/v1/models/{urllib.parse.quote(model_id)}/runs")["runs"]

    def wait_for_run(self, model_id: str, run_id: str, poll_s: float = 2.0,
                     on_progress: Callable[[dict], None] | None = None) -> dict:
        """Polls the run until it has finished (succeeded, failed or canceled) and returns it."""
        while True:
            run = self.get_run(model_id, run_id)
            if on_progress:
                on_progress(run)
            if run["status"] in ("succeeded", "failed", "canceled"):
                return run
            time.sleep(poll_s)

    # --- versions and prediction
    def list_versions(self, model_id: str) -> list[dict]:
        return self.request("GET", f"/v1/models/{urllib.parse.quote(model_id)}/versions")["versions"]

    def predict_files(self, model_id: str, paths: list[str], top_k: int | None = None) -> dict:
        files = []
        for p in paths:
            with open(p, "rb") as f:
                files.append((os.path.basename(p), f.read()))
        return self.request("POST", f"/v1/models/{urllib.parse.quote(model_id)}/predict", query={"topK": top_k},
                            form=({}, files), ok_statuses=(207,))

    def predict_urls(self, model_id: str, urls: list[str], top_k: int | None = None) -> dict:
        return self.request("POST", f"/v1/models/{urllib.parse.quote(model_id)}/predict", query={"topK": top_k},
                            json_body={"urls": urls}, ok_statuses=(207,))


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _api_error(status: int, body: Any, request_id: str | None) -> TailorError:
    if isinstance(body, dict) and isinstance(body.get("detail"), str):  # problem+json (/v1)
        return TailorError(body["detail"], status, str(body.get("code", status)), body.get("requestId") or request_id, body)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):  # NanoNets envelope (/api/v2)
        msg = "; ".join(": ".join(x for x in (e.get("reason"), e.get("message")) if x) for e in body["errors"]) or str(body.get("message"))
        return TailorError(msg, status, str(body.get("message", status)), body.get("request_id") or request_id, body)
    return TailorError(str(body)[:200] or f"HTTP {status}", status, str(status), request_id, body)


def exit_code_for(err: BaseException) -> int:
    return err.exit_code if isinstance(err, TailorError) else EXIT_API


def run_script(main: Callable[[list[str]], int]) -> None:
    """Runs a script's main and turns errors into a one-line message on stderr and the documented exit code."""
    try:
        code = main(sys.argv[1:])
    except TailorError as e:
        print(f"{os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        code = exit_code_for(e)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def default_data_dir() -> str:
    """$DATA_DIR, else the tutorial's JPEGs at ../shared beside the repository (this file is in clients/python)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return env("DATA_DIR", default=os.path.join(here, "..", "..", "..", "shared", "datasets", "nanonets-fashion", "train"))
