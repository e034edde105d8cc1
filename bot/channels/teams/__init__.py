"""Microsoft Teams: engine messages as Bot Framework activities, and the app package.

Rendering stays pure (plain JSON-ready dicts) so it is tested with golden files and the
SDK glue that sends the activities stays thin.
"""
