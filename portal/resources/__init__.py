"""The resource center (RC-1 to RC-3): user guides and videos in Japanese and English."""
