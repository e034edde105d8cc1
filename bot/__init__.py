"""peercoach runtime: storage, services, channels (console, Slack, Teams), scheduler, CLI."""
