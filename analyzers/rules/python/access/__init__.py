"""Broken access control: ownership, authentication, redirects, trust boundaries."""
