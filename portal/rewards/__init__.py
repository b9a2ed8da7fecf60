"""Corporate Membership Rewards: the catalog (CMR-6.c) and, later, redemption."""
