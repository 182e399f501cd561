"""CPU time of a process by thread kind, to say where a benchmark's host CPU goes per image.

    python3 thread_cpu.py snapshot PID > before.json          (again after the run: after.json)
    python3 thread_cpu.py report before.json after.json IMAGES [--client-cpu-s S] > threads.json
    python3 thread_cpu.py summary threads.json                  (one line: per image, the largest groups)

A snapshot reads every thread's user and system time from /proc/PID/task/*/stat. Threads are grouped by their name
with the digits dropped ("vert.x-eventloop-thread-3" counts as "vert.x-eventloop-thread-#"), since pools number
their threads. Virtual threads have no thread of their own: their work is counted on the carrier threads
("ForkJoinPool-#-worker-#"). Threads that ended between the snapshots are missing from both ends, so their time is
lost; the service's pools keep their threads, so this is small in a steady run.

The report gives each group's CPU seconds and milliseconds per image (IMAGES: the images answered between the
snapshots), the process total, and with --client-cpu-s the load generator's CPU beside it.
"""
import json
import os
import re
import sys
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended while we listed them
            continue
        # the name is in parentheses and may itself hold spaces or parentheses: split after the last ')'
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        utime, stime = int(fields[11]), int(fields[12])
        threads[tid] = {"name": name, "cpu_s": (utime + stime) / CLOCK_TICKS}
    return {"pid": pid, "at": time.time(), "threads": threads}


def group_of(name):
    return re.sub(r"\d+", "#", name)


def report(before, after, images, client_cpu_s=None):
    groups = {}
    for tid, thread in after["threads"].items():
        start = before["threads"].get(tid, {}).get("cpu_s", 0.0)
        used = thread["cpu_s"] - start
        if used > 0:
            groups[group_of(thread["name"])] = groups.get(group_of(thread["name"]), 0.0) + used
    total = sum(groups.values())
    seconds = after["at"] - before["at"]
    per_image = (lambda s: round(1000 * s / images, 2)) if images else (lambda s: None)
    out = {
        "seconds": round(seconds, 1),
        "images": images,
        "process_cpu_s": round(total, 2),
        "process_cores_busy": round(total / seconds, 2) if seconds > 0 else None,
        "process_cpu_ms_per_image": per_image(total),
        "groups": [{"threads": name, "cpu_s": round(cpu, 2), "cpu_ms_per_image": per_image(cpu)}
                   for name, cpu in sorted(groups.items(), key=lambda item: -item[1])],
    }
    if client_cpu_s is not None:
        out["client_cpu_s"] = round(client_cpu_s, 2)
        out["client_cpu_ms_per_image"] = per_image(client_cpu_s)
    return out


def summary(result, groups=8):
    line = (f"CPU per image: server {result['process_cpu_ms_per_image']} ms "
            f"({result['process_cores_busy']} cores busy)")
    if "client_cpu_ms_per_image" in result:
        line += f", client {result['client_cpu_ms_per_image']} ms"
    return line + "; server threads: " + ", ".join(
        f"{g['threads']} {g['cpu_ms_per_image']}" for g in result["groups"][:groups])


def main(argv):
    if len(argv) == 2 and argv[0] == "snapshot":
        json.dump(snapshot(int(argv[1])), sys.stdout)
    elif len(argv) in (4, 6) and argv[0] == "report":
        client = float(argv[5]) if len(argv) == 6 and argv[4] == "--client-cpu-s" else None
        result = report(json.load(open(argv[1])), json.load(open(argv[2])), int(argv[3]), client)
        json.dump(result, sys.stdout, indent=1)
        print()
    elif len(argv) == 2 and argv[0] == "summary":
        print(summary(json.load(open(argv[1]))))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
