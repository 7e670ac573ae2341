"""Wall time of a command idle and with busy processes beside it, under thread settings given as environments.

    python tools/measure_load.py --busy 3 --env "" --env "OMP_NUM_THREADS=1" -- batchbald experiment ...

Each --env is a space-separated list of VAR=VALUE (an empty string: the environment as it is). Prints one row per
setting: idle seconds, loaded seconds, and loaded/idle. The busy processes are pure-Python loops, one core each.
"""
import argparse
import os
import subprocess
import sys
import time

BUSY_LOOP = "while True: pass"


def run_timed(command, env) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def busy_processes(count: int) -> list:
    return [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=3, help="busy processes beside the loaded run (default 3)")
    parser.add_argument("--env", action="append", default=None, help="VAR=VALUE ... for one setting (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the best is kept (default 1)")
    parser.add_argument("--no-idle", action="store_true", help="only the loaded runs")
    parser.add_argument("--no-loaded", action="store_true", help="only the idle runs")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to time after --")
    print(f"command: {' '.join(command)}; {os.cpu_count()} CPUs; {args.busy} busy processes when loaded")
    print(f"{'setting':<44}{'idle s':>8}{'loaded s':>10}{'ratio':>7}")
    for setting in args.env or [""]:
        env = dict(os.environ, **dict(item.split("=", 1) for item in setting.split()))
        idle = float("nan") if args.no_idle else min(run_timed(command, env) for _ in range(args.repeat))
        loaded = float("nan")
        if not args.no_loaded:
            busy = busy_processes(args.busy)
            try:
                loaded = min(run_timed(command, env) for _ in range(args.repeat))
            finally:
                for process in busy:
                    process.kill()
                    process.wait()
        print(f"{setting or '(as it is)':<44}{idle:>8.1f}{loaded:>10.1f}{loaded / idle:>7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
