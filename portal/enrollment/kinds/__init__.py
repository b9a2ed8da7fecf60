"""The kinds of application, registered with the engine on import.

A new kind adds its import here (see the "how to add a kind" notes in ``engine.py``).
"""

from portal.enrollment.kinds import new_user  # noqa: F401
