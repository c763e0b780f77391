"""Privacy-first page-view counting (issue 7): no cookies, no raw IP addresses kept.

``visitors`` makes the anonymous visitor id (a hash with a salt that lives one day), ``bots``
decides what is not a visitor, ``sources`` classifies where a visit came from, ``counting``
buffers views in the process and flushes them to Redis (production) or to in-process totals
(embedded), and ``middleware`` counts every public page a reader gets, cached or not.
"""
