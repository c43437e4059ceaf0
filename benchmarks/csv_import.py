"""``briefing subscribers import`` of a big list: peak memory and time.

    python -m benchmarks.csv_import [--rows 1000000]

Writes a CSV of ``--rows`` readers (chat id, timezone, delivery time, format, status, name) to a temporary
directory, imports it with the real command in a fresh process into a fresh database, and reports that
process's peak RSS and wall time. Target (issue #15): 1M rows in under 200 MB (it was 751 MB when every
row was read into memory before storing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 200.0
TOKEN = "777000:benchmark-token-local-only-xxxxxxxxxx"
ZONES = ("Europe/Berlin", "Europe/Moscow", "Asia/Tokyo", "America/New_York", "UTC")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("chat_id,timezone,delivery_time,format,status,first_name\n")
        for n in range(1, rows + 1):
            out.write(f"{n},{ZONES[n % len(ZONES)]},{6 + n % 4:02d}:{n % 4 * 15:02d},headlines,active,Reader {n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "list.csv"
        write_csv(source, args.rows)
        env = {**os.environ, "BRIEFING_DB": str(Path(tmp) / "bot.db"), "TELEGRAM_BOT_TOKEN": TOKEN}
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "subscribers", "import", str(source)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        csv_mb = source.stat().st_size / 2**20
    result = {
        "rows": args.rows,
        "csv_mb": round(csv_mb, 1),
        "exit_code": done.returncode,
        "output": done.stdout.strip()[-200:] or done.stderr.strip()[-300:],
        "peak_rss_mb": round(peak, 1),
        "target_peak_rss_mb": TARGET_MB,
        "target_met": peak < TARGET_MB and done.returncode == 0,
        "wall_s": round(wall, 1),
        "rows_per_s": round(args.rows / wall),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
