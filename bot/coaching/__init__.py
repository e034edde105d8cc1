"""Coaches and the leaders they coach: roles, links, and who may do what."""
