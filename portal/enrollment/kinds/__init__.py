"""The kinds of application, registered with the engine on import.

A new kind adds its import here (see the "how to add a kind" notes in ``engine.py``).
"""

from portal.enrollment.kinds import change_user, delete_user, new_user  # noqa: F401
