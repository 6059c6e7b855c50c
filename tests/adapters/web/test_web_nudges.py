"""The policy owner's dashboard shows how many notes about shared links went out."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from tests.adapters.web.test_web_api import BEARER, conforms
from tests.webkit import WebRig


def test_the_report_api_counts_nudges(web: WebRig) -> None:
    now = datetime.now(UTC)
    web.service.nudges.take("p1", "join-group", "facebook", now)
    web.service.nudges.take("p2", "join-group", "facebook", now)
    web.service.nudges.take("p2", "install-app", "hootsuite", now)
    data = web.get("/api/admin/report", BEARER).json()
    conforms(data, "Report")
    assert data["nudges"] == [
        {"kind": "join-group", "subject": "facebook", "count": 2},
        {"kind": "install-app", "subject": "hootsuite", "count": 1},
    ]
    rows = list(csv.reader(io.StringIO(web.get("/api/admin/report.csv", BEARER).body.decode())))
    assert ["nudge", "join-group/facebook", "2", ""] in rows
