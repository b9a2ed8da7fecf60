"""The cardmember online service (OS-1 to OS-6): a person with a card sets up online access
with the card, then reads statements and the credit still available, sees the points, changes
their details and switches a charge to revolving.

Imports: ``portal.accounts`` (users, sign-in, the rate limiter), ``portal.rewards`` (cards,
posted transactions, points), ``portal.mail`` and ``portal.reference``; nothing imports it
but the app factory and the sample.
"""
