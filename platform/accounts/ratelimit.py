"""Limits on guessing: failed sign-ins per account and per address, and reset requests.

Counters live in the cache: Redis in production (shared by every process), in-process in the
embedded default. Accounts are keyed by a hash of the *typed* identifier, whether or not such an
account exists, so the limit itself reveals nothing.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from etalase.platform.cache import Cache


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: float  # seconds


ACCOUNT_FAILURES = Rule("login-account", 5, 15 * 60)
ADDRESS_FAILURES = Rule("login-ip", 30, 15 * 60)
RESET_REQUESTS = Rule("reset-account", 3, 60 * 60)
RESET_ADDRESS = Rule("reset-ip", 20, 60 * 60)


Check = tuple[Rule, str]  # a rule and what it counts (an account, an address)


def password_checks(account: str, ip: str) -> tuple[Check, Check]:
    """What every password check counts: failures of the account and of the address."""
    return (ACCOUNT_FAILURES, account), (ADDRESS_FAILURES, ip)


def reset_checks(account: str, ip: str) -> tuple[Check, Check]:
    return (RESET_REQUESTS, account), (RESET_ADDRESS, ip)


def _key(rule: Rule, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"rl:{rule.name}:{digest}"


class Limiter:
    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def wait(self, rule: Rule, subject: str) -> int:
        """Whole minutes to wait before trying again; 0 when allowed."""
        key = _key(rule, subject)
        count = self.cache.get(key)
        if count is None or int(count) < rule.limit:
            return 0
        left = self.cache.ttl(key)
        return max(1, math.ceil((left or rule.window) / 60))

    def longest_wait(self, *checks: Check) -> int:
        """Minutes until every check allows again; 0 when all do."""
        return max((self.wait(rule, subject) for rule, subject in checks), default=0)

    def hit_all(self, *checks: Check) -> None:
        for rule, subject in checks:
            self.hit(rule, subject)

    def hit(self, rule: Rule, subject: str) -> None:
        self.cache.incr(_key(rule, subject), ttl=rule.window)

    def clear(self, rule: Rule, subject: str) -> None:
        self.cache.delete(_key(rule, subject))
