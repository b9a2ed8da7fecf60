"""The kinds of application, registered with the engine on import.

A new kind adds its import here (see the "how to add a kind" notes in ``engine.py``).
``new_user_users.py`` and ``new_user_access.py`` are the first two steps of the add-user
kind (``new_user.py``); the change kind reuses the access step.
"""

from portal.enrollment.kinds import change_user, delete_user, new_user  # noqa: F401
