"""The clock of the CMS: scheduled posts go live, the trash empties after 30 days, the pages of
posts that got "bermanfaat" taps show the new counts, the page views counted since the last round
go into the daily tables, the impact indicators of villages whose content changed are recomputed,
and a slice of the day's round over every village (liveness and quiet days move with time alone).

Every ``INTERVAL`` seconds one process (the web process in the embedded default, ``etalase
worker`` in production) runs :func:`tick`. Several processes may run the loop; a claim in the
shared cache lets one of them do each round, so a post is published once.
"""

from __future__ import annotations

import logging
import threading

from etalase.platform.analytics import indicators, rollup
from etalase.platform.content import workflow
from etalase.platform.discussion import service as discussion
from etalase.platform.runtime import Runtime

INTERVAL = 30.0
log = logging.getLogger(__name__)


def tick(runtime: Runtime) -> tuple[int, int]:
    """One round, if no other process has claimed it: (posts published, posts purged)."""
    if not runtime.cache.add("ticker:claim", b"1", INTERVAL * 0.8):
        return 0, 0
    # Crosses villages on purpose: the jobs look at every village's scheduled and trashed posts.
    with runtime.session(all_villages=True) as db:
        published = workflow.publish_due(db)
        purged = workflow.purge_trash(db)
    if published or purged:
        log.info("ticker: %d scheduled post(s) published, %d purged from the trash", published, purged)
    try:
        discussion.refresh_reaction_counts(runtime)  # "bermanfaat" taps: their pages, once a round
    except Exception:
        log.exception("reaction counts could not be shown; the next round tries again")
    try:
        rollup.flush(runtime)  # the page views counted since the last round, into the daily tables
    except Exception:  # counting is never worth stopping the clock for
        log.exception("page-view rollup failed; the counters keep them for the next round")
    try:
        indicators.refresh_changed(runtime)
        indicators.sweep(runtime)
    except Exception:
        log.exception("impact indicators could not be recomputed; the next round tries again")
    return published, purged


def start(runtime: Runtime, stop: threading.Event, interval: float = INTERVAL) -> threading.Thread:
    """Run :func:`tick` every ``interval`` seconds in a daemon thread until ``stop`` is set."""

    def loop() -> None:
        while not stop.is_set():
            try:
                tick(runtime)
            except Exception:  # a failed round is retried at the next one; never kill the thread
                log.exception("ticker round failed")
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="etalase-ticker", daemon=True)
    thread.start()
    return thread
