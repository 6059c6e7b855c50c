"""One contract for every store of delivery claims: memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.claims import DeliveryClaims, Pending

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_a_delivery_is_claimed_once(claims: DeliveryClaims) -> None:
    assert claims.claim("k" * 64, NOW) is True
    assert claims.claim("k" * 64, NOW + timedelta(seconds=5)) is False
    assert claims.claim("j" * 64, NOW) is True
    claims.purge(NOW + timedelta(days=1))
    assert claims.claim("k" * 64, NOW) is True


def test_a_pending_delivery_is_kept_until_released_and_taken_over_once_lapsed(claims: DeliveryClaims) -> None:
    lease = NOW + timedelta(seconds=60)
    held = Pending("p" * 64, "slack", '{"text": "may I?"}', lease)
    assert claims.claim("p" * 64, NOW, held) is True
    assert claims.claim("p" * 64, NOW, held) is False  # a second claimant keeps nothing
    assert claims.claim("q" * 64, NOW, Pending("q" * 64, "slack", "{}", lease)) is True
    claims.release(["q" * 64])
    assert claims.take_over_lapsed(NOW + timedelta(seconds=30), NOW + timedelta(seconds=90)) == []
    later = NOW + timedelta(seconds=61)
    [taken] = claims.take_over_lapsed(later, later + timedelta(seconds=60))
    assert taken == Pending("p" * 64, "slack", '{"text": "may I?"}', later + timedelta(seconds=60))
    # Taken over: nobody else gets it until the new lease ends too.
    assert claims.take_over_lapsed(later + timedelta(seconds=1), later + timedelta(seconds=61)) == []
    claims.release(["p" * 64, "never-held" * 6])
    assert claims.take_over_lapsed(later + timedelta(days=1), later + timedelta(days=2)) == []
    assert claims.claim("r" * 64, NOW, Pending("r" * 64, "slack", "{}", lease)) is True
    claims.purge(NOW + timedelta(days=1))
    assert claims.take_over_lapsed(NOW + timedelta(days=2), NOW + timedelta(days=3)) == []


def test_a_claimant_alive_keeps_its_deliveries_by_renewing_the_lease(claims: DeliveryClaims) -> None:
    lease = NOW + timedelta(seconds=15)
    assert claims.claim("s" * 64, NOW, Pending("s" * 64, "slack", "{}", lease)) is True
    claims.renew(["s" * 64, "unknown" * 8], NOW + timedelta(seconds=40))
    assert claims.take_over_lapsed(NOW + timedelta(seconds=20), NOW + timedelta(seconds=60)) == []
    [taken] = claims.take_over_lapsed(NOW + timedelta(seconds=41), NOW + timedelta(seconds=60))
    assert taken.key == "s" * 64
    claims.renew([], NOW)  # nothing held: nothing to do


def test_a_burst_is_claimed_in_one_call_each_delivery_once(claims: DeliveryClaims) -> None:
    lease = NOW + timedelta(seconds=60)

    def held(key: str) -> tuple[str, Pending]:
        return key, Pending(key, "slack", f'{{"k": "{key[0]}"}}', lease)

    assert claims.claim("a" * 64, NOW, Pending("a" * 64, "slack", "{}", lease)) is True
    burst = [held("a" * 64), held("b" * 64), held("c" * 64), held("b" * 64)]
    # Already claimed, won, won, and the same key again in the burst: the first one wins.
    assert claims.claim_many(burst, NOW) == [False, True, True, False]
    assert claims.claim_many([held("c" * 64), ("d" * 64, None)], NOW) == [False, True]
    assert claims.claim_many([], NOW) == []
    later = NOW + timedelta(seconds=61)
    taken = {p.key: p.payload for p in claims.take_over_lapsed(later, later + timedelta(seconds=60))}
    assert taken == {"a" * 64: "{}", "b" * 64: '{"k": "b"}', "c" * 64: '{"k": "c"}'}
