"""`peercoach backup` and `peercoach restore`: one-file snapshots of the data folder."""
