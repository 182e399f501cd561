#!/usr/bin/env python3
"""Cold-start measurement of lama-serve (Python 3 standard library only; see measure.sh for usage).

One lightweight poller process instead of a curl per probe, so that polling every 10 ms does not steal much CPU
from the JVM that is starting on the same machine.
"""
import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time

PHASES = ["config_loaded", "model_resolved", "engine_loaded", "http_listening", "warmup_done", "ready"]
GAUGE = re.compile(r'^lama_startup_phase_seconds\{phase="([a-z_]+)"\} (\S+)$', re.M)
# the TensorRT engine's start (probe, plan read, deserialize, contexts, warm-up; _waited: the wait for a background part)
TENSORRT_GAUGE = re.compile(r'^lama_tensorrt_start_phase_seconds\{phase="([a-z_]+)"\} (\S+)$', re.M)
PROCESS_START = re.compile(r"^process_start_time_seconds(?:\{[^}]*\})? (\S+)$", re.M)


def get(port, path, timeout=1.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_ready(port, process, limit_s, interval_s):
    """Polls /q/health/ready; returns the monotonic time of the first 200, or None."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/q/health/ready")
            if status == 200:
                return time.monotonic()
        except OSError:
            pass
        if process.poll() is not None:
            return None
        time.sleep(interval_s)
    return None


def post_json(port, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def phases_after_warmup(port, limit_s):
    """The startup gauges (ms since JVM start), the JVM start time and the TensorRT start phases (s; empty on the
    CPU), once 'ready' is reported."""
    deadline = time.monotonic() + limit_s
    gauges, jvm_start, engine = {}, None, {}
    while time.monotonic() < deadline:
        _, text = get(port, "/q/metrics", timeout=5.0)
        gauges = {name: float(value) * 1000 for name, value in GAUGE.findall(text) if value != "NaN"}
        engine = {name: float(value) for name, value in TENSORRT_GAUGE.findall(text) if value != "NaN"}
        start = PROCESS_START.search(text)
        jvm_start = float(start.group(1)) if start else None
        if not GAUGE.search(text) or "ready" in gauges:
            break
        time.sleep(0.02)
    return gauges, jvm_start, engine


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, width):
    return f"{'-' if value is None else round(value):>{width}}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("-p", "--port", type=int, default=8080)
    parser.add_argument("-l", "--label", default="run")
    parser.add_argument("--interval-ms", type=float, default=10.0)
    parser.add_argument("--first-request", metavar="JSON_FILE",
                        help="after readiness, POST this IOPaint request to /api/v1/inpaint and time it (first_req)")
    parser.add_argument("--json", metavar="FILE", help="also write every run's figures (ms) to FILE as JSON")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command that starts the service after --")
    try:
        get(args.port, "/q/health/ready")
        sys.exit(f"port {args.port} is already in use")
    except OSError:
        pass

    columns = ["probe_ready", "jvm_start"] + PHASES + ["ready_wall", "first_req"]
    first_body = open(args.first_request, "rb").read() if args.first_request else None
    print(f"{'label':<12} {'run':>3} " + " ".join(f"{c:>14}" for c in columns) + "   (ms)")
    rows = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryFile() as log:
            launched_wall, launched = time.time(), time.monotonic()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            try:
                ready_at = wait_ready(args.port, process, 60, args.interval_ms / 1000)
                if ready_at is None:
                    log.seek(0)
                    sys.stderr.write(log.read().decode("utf-8", "replace")[-4000:])
                    sys.exit(f"run {run}: not ready within 60 s")
                gauges, jvm_start, engine_phases = phases_after_warmup(args.port, 120)
                first_ms = None
                if first_body is not None:
                    sent = time.monotonic()
                    status = post_json(args.port, "/api/v1/inpaint", first_body)
                    if status != 200:
                        sys.exit(f"run {run}: first request answered {status}")
                    first_ms = (time.monotonic() - sent) * 1000
            finally:
                process.terminate()
                process.wait(60)
            log.seek(0)
            lines = [l for l in log.read().decode("utf-8", "replace").splitlines()
                     if "startup phase" in l or "startup:" in l or "started in" in l or "TensorRT start of" in l]
        offset = (jvm_start - launched_wall) * 1000 if jvm_start else None
        row = {"probe_ready": (ready_at - launched) * 1000, "jvm_start": offset}
        row.update({phase: gauges.get(phase) for phase in PHASES})
        row["ready_wall"] = offset + gauges["ready"] if offset is not None and "ready" in gauges else None
        row["first_req"] = first_ms
        if engine_phases:
            row["tensorrt_start_s"] = engine_phases
        rows.append(row)
        print(f"{args.label:<12} {run:>3} " + " ".join(fmt(row[c], 14) for c in columns), flush=True)
        for line in lines:
            print("      " + line[:200])
    print(f"{args.label:<12} {'med':>3} " + " ".join(fmt(median([r[c] for r in rows]), 14) for c in columns))
    if args.json:
        with open(args.json, "w") as out:
            result = {"label": args.label, "command": command, "runs": rows,
                      "median": {c: median([r[c] for r in rows]) for c in columns}}
            keys = sorted({k for r in rows for k in r.get("tensorrt_start_s", {})})
            if keys:
                result["median_tensorrt_start_s"] = {k: median([r.get("tensorrt_start_s", {}).get(k) for r in rows])
                                                     for k in keys}
            json.dump(result, out, indent=1)


if __name__ == "__main__":
    main()
