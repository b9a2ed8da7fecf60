"""The resource center (RC-1 to RC-3): user guides and videos in Japanese and English.

May import: ``portal.search``, ``portal.reference``, ``portal.content`` and the shared modules.
"""
