"""Set every Python process's wall clock to WALL_CLOCK (ISO 8601 with an offset) from interpreter start-up.

`make test-night` puts this folder on PYTHONPATH, so pytest and every worker, scheduler and CLI process a test
starts read the same night-time instant from `time.time()` and `datetime.now()`, and the clock ticks on from
there. Monotonic clocks, sleeps and timeouts are untouched. Tests still pin their own instant on top of it.
"""

import os
from datetime import datetime

if os.environ.get("WALL_CLOCK"):
    import time_machine

    time_machine.travel(datetime.fromisoformat(os.environ["WALL_CLOCK"]), tick=True).start()
