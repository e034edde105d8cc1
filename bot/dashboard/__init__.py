"""The coach's web dashboard: sign-in from a chat link, counts and charts, never words."""
