"""Appends the service's lama_* metrics to a file every few seconds, each snapshot headed by '# at <unix time>'.

The metrics are cumulative; differences between two snapshots give one benchmark step's batch sizes, queue wait
and executor phases (the client's JSON has each step's start and duration).

    python3 sample_metrics.py http://127.0.0.1:8080/q/metrics OUT_FILE [INTERVAL_S]
"""
import sys
import time
import urllib.request


def main():
    url, out = sys.argv[1], sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    with open(out, "a") as sink:
        while True:
            try:
                text = urllib.request.urlopen(url, timeout=5).read().decode()
            except OSError as e:  # the service stopped or is busy; try again next time
                print(f"# at {time.time():.3f} unavailable: {e}", file=sink, flush=True)
            else:
                lines = [line for line in text.splitlines() if line.startswith("lama_")]
                print(f"# at {time.time():.3f}", file=sink)
                print("\n".join(lines), file=sink, flush=True)
            time.sleep(interval)


if __name__ == "__main__":
    main()
