#!/usr/bin/env python3
"""Paced load on `redflag serve`: single-record POST /screen requests at a fixed
rate over one keep-alive connection, each record a different line of a JSON
Lines file; prints the per-request latency percentiles (client side, from
sending the request to reading the whole answer) as one Markdown table row.

    python3 bench/serve_load.py URL FILE [RATE] [SECONDS]
"""
import http.client
import statistics
import sys
import time
import urllib.parse


def main():
    url, path = sys.argv[1], sys.argv[2]
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 200.0
    secs = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
    with open(path, "rb") as f:
        records = [line for line in f if line.strip()]
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    n = int(rate * secs)
    lat, errors, late = [], 0, 0
    start = time.perf_counter()
    for i in range(n):
        due = start + i / rate
        now = time.perf_counter()
        if now < due:
            time.sleep(due - now)
        elif now - due > 1.0 / rate:
            late += 1
        t0 = time.perf_counter()
        conn.request("POST", "/screen", body=records[i % len(records)],
                     headers={"Content-Type": "application/json"})
        resp = resp_body = conn.getresponse()
        resp_body = resp.read()
        lat.append(time.perf_counter() - t0)
        if resp.status != 200 or not resp_body.endswith(b"}\n"):
            errors += 1
    took = time.perf_counter() - start
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    print(f"| {n} | {n / took:.0f} | {q(0.50):.2f} | {q(0.90):.2f} | {q(0.99):.2f} | "
          f"{lat[-1] * 1000:.2f} | {statistics.mean(lat) * 1000:.2f} | {errors} | {late} |")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
