"""Pausing Python's cyclic garbage collector around bulk allocation."""

from __future__ import annotations

import functools
import gc


def gc_paused(function):
    """Run the function with the cycle collector paused (restored afterwards, also on error).

    Loading records, validating them and building chart specs each allocate hundreds of thousands
    to millions of long-lived, acyclic objects; every full collection during such a burst walks
    the whole heap (the publication and all built so far). That was more than half of loading
    10,000 incidents (7.2 s of CPU with the collector, 3.0 s without) and a third or more of
    `build_charts`. Reference counting still frees everything not in a cycle; what cycles remain
    are collected by the first collection after the collector resumes."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper
