"""What the Slack message journal costs: one append before each acknowledgement, one mark when
the message is let go of, and a file made and removed when messages come one at a time.

    python bench/journal.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.slack.journal import Journal  # noqa: E402

EVENT = {
    "team": "T0001",
    "event": {
        "channel": "D0001",
        "channel_type": "im",
        "ts": "1700000000.000001",
        "thread_ts": None,
        "text": "may I install this LinkedIn app on my work laptop?",
        "user": "U0001",
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    count = min(parser.parse_args().messages, 1_000_000)
    with tempfile.TemporaryDirectory() as directory:
        journal = Journal(Path(directory))
        journal.open()
        started = time.perf_counter()
        for n in range(count):
            journal.add(f"slack:T0001:D0001:{n}", EVENT)
        added = time.perf_counter()
        for n in range(0, count, 20):  # let go of in batches, as the release loop does
            journal.done(f"slack:T0001:D0001:{k}" for k in range(n, min(n + 20, count)))
        done = time.perf_counter()
        alone = min(count, 2_000)
        for n in range(alone):
            journal.add(f"alone:{n}", EVENT)
            journal.done([f"alone:{n}"])
        single = time.perf_counter()
        journal.close()
    print(f"{count} messages: append {(added - started) / count * 1e6:.1f} us each (before the ack)")
    print(f"let go of in batches of 20: {(done - added) / count * 1e6:.1f} us per message")
    print(f"one at a time (a file made and removed each): {(single - done) / alone * 1e6:.1f} us per message")


if __name__ == "__main__":
    main()
