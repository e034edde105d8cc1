"""Slack channel: Block Kit rendering (pure) and the Bolt app that sends it."""
