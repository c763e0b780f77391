"""A small key-value cache with two backends: in-process (embedded default) and Redis (production).

Values are bytes; callers choose their own encoding. Keys get one prefix so several deployments
(or the test suite) can share a Redis server.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis


class Cache(Protocol):
    shared: bool  # True when other processes see the same entries

    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl: float | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def incr(self, key: str, ttl: float | None = None) -> int:
        """Add one; ``ttl`` starts the key's expiry when the key is new (a fixed window)."""
        ...

    def ttl(self, key: str) -> float | None:
        """Seconds until the key expires; None when absent or without expiry."""
        ...

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Set the key only if it is absent (a lock or a once-per-interval claim)."""
        ...

    def ping(self) -> bool: ...


class MemoryCache:
    """Bounded LRU with expiry, safe across threads. Lives and dies with the process."""

    shared = False

    def __init__(self, max_entries: int = 100_000) -> None:
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            value, expires = item
            if expires is not None and expires < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        expires = time.monotonic() + ttl if ttl else None
        with self._lock:
            self._data[key] = (value, expires)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, ttl: float | None = None) -> int:
        now = time.monotonic()
        with self._lock:
            value, expires = self._data.get(key, (b"0", None))
            if expires is not None and expires < now:
                value, expires = b"0", None
            if value == b"0" and ttl:
                expires = now + ttl
            number = int(value) + 1
            self._data[key] = (str(number).encode(), expires)
            self._data.move_to_end(key)
            return number

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = time.monotonic()
        with self._lock:
            item = self._data.get(key)
            if item is not None and (item[1] is None or item[1] >= now):
                return False
            self._data[key] = (value, now + ttl)
            return True

    def ttl(self, key: str) -> float | None:
        with self._lock:
            item = self._data.get(key)
        if item is None or item[1] is None:
            return None
        left = item[1] - time.monotonic()
        return left if left > 0 else None

    def ping(self) -> bool:
        return True

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class RedisCache:
    shared = True

    def __init__(self, url: str, prefix: str = "etalase:") -> None:
        # Short timeouts: a slow Redis must degrade a page, never hang it.
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        value = self.client.get(self.prefix + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.client.set(self.prefix + key, value, px=int(ttl * 1000) if ttl else None)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def incr(self, key: str, ttl: float | None = None) -> int:
        name = self.prefix + key
        if not ttl:
            return int(self.client.incr(name))
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.pexpire(name, int(ttl * 1000), nx=True)  # the window starts with the first hit
        number, _ = pipe.execute()
        return int(number)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(self.client.set(self.prefix + key, value, px=int(ttl * 1000), nx=True))

    def ttl(self, key: str) -> float | None:
        left = int(self.client.pttl(self.prefix + key))
        return left / 1000 if left > 0 else None

    def ping(self) -> bool:
        return bool(self.client.ping())


def make_cache(redis_url: str, prefix: str = "etalase:") -> Cache:
    return RedisCache(redis_url, prefix) if redis_url else MemoryCache()
