"""The portal keeps no tables of its own (its rate limit is core.ratelimits')."""
