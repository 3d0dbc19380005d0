"""Set every Python process's wall clock to WALL_CLOCK (ISO 8601 with an offset) from interpreter start-up.

`make test-night` puts this folder on PYTHONPATH, so pytest and every worker, scheduler and CLI process a test
starts read the night-time instant from `time.time()` and `datetime.now()`, ticking on from there. The first
process fixes the shift from the real clock in WALL_CLOCK_OFFSET_SECONDS and the processes it starts inherit it,
so they all agree on the time. Monotonic clocks, sleeps and timeouts are untouched. Tests still pin their own
instant on top of it.
"""

import os
import time
from datetime import datetime

if os.environ.get("WALL_CLOCK"):
    import time_machine

    if "WALL_CLOCK_OFFSET_SECONDS" not in os.environ:
        shift = datetime.fromisoformat(os.environ["WALL_CLOCK"]).timestamp() - time.time()
        os.environ["WALL_CLOCK_OFFSET_SECONDS"] = repr(shift)
    time_machine.travel(time.time() + float(os.environ["WALL_CLOCK_OFFSET_SECONDS"]), tick=True).start()
    # time_machine starts the clock ticking at the first reading, not at start(): read it now, or a process that
    # first asks the time after its imports (a worker: 50 ms and more) runs that much behind the others — two
    # workers sharing a send rate then disagree on when a slot is, and one second at the provider holds more sends.
    time.time()
