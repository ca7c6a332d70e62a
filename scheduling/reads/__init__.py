"""Scheduling's reads shaped for its screens: one module per screen family (the calendar, the
request queue and page, availability)."""
