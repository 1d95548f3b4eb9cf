#!/usr/bin/env python3
"""Screen a JSON Lines file through `redflag serve` (Python standard library only).

The shape of a purchasing-system integration: records go in batches of up to
--batch lines to POST /screen; verdicts come back one JSON line per record, in
order, and are written to stdout; the exit code says whether any record reached
--fail-on. The API key, if the server wants one, comes from $REDFLAG_API_KEY.

    python3 examples/http_client.py --url http://127.0.0.1:8080 examples/orders.jsonl
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request

LEVELS = ["none", "low", "medium", "high", "critical"]


def post(url, body, key, timeout):
    """POST one batch; return the verdict lines (raises on an HTTP error)."""
    req = urllib.request.Request(url + "/screen", data=body, method="POST",
                                 headers={"Content-Type": "application/x-ndjson"})
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read().decode("utf-8").splitlines(keepends=True)


def batches(path, size):
    """The file's non-blank lines, size at a time."""
    chunk = []
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                chunk.append(line if line.endswith(b"\n") else line + b"\n")
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--fail-on", default="high", choices=LEVELS[1:])
    a = ap.parse_args()
    key = os.environ.get("REDFLAG_API_KEY", "")
    flagged = False
    for chunk in batches(a.file, a.batch):
        try:
            lines = post(a.url, b"".join(chunk), key, a.timeout)
        except urllib.error.HTTPError as e:
            print(f"http_client: {a.file}: HTTP {e.code}: {e.read().decode(errors='replace').strip()}",
                  file=sys.stderr)
            return 2
        except OSError as e:
            print(f"http_client: {a.url}: {e}", file=sys.stderr)
            return 4
        if len(lines) != len(chunk):
            print(f"http_client: {len(chunk)} records sent, {len(lines)} verdicts back",
                  file=sys.stderr)
            return 4
        for line in lines:
            v = json.loads(line)
            if LEVELS.index(v.get("level", "none")) >= LEVELS.index(a.fail_on):
                flagged = True
            sys.stdout.write(line)
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
