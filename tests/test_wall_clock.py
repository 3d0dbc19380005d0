"""The night-time run's clock shift (tests/wall_clock/sitecustomize.py): every process agrees on the time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WALL_CLOCK = Path(__file__).with_name("wall_clock")
# A process that first reads the clock 0.3 s after start-up (a worker does after its imports) prints how far its
# clock is from the real clock shifted by the offset every process inherits.
LATE_FIRST_READING = """
import os, time
time.sleep(0.3)
import time_machine
shifted = time_machine.escape_hatch.time.time() + float(os.environ["WALL_CLOCK_OFFSET_SECONDS"])
print(time.time() - shifted)
"""


def test_a_process_that_reads_the_clock_late_is_not_behind_the_others():
    env = {
        **os.environ,
        "WALL_CLOCK": "2027-08-15T23:30:00+05:30",
        "WALL_CLOCK_OFFSET_SECONDS": "1000000.0",
        "PYTHONPATH": str(WALL_CLOCK),
    }
    skew = float(
        subprocess.run(
            [sys.executable, "-c", LATE_FIRST_READING], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert abs(skew) < 0.1  # without the reading at start-up it was 0.3 s behind
