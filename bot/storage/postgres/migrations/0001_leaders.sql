-- Leaders' whole state, sealed (AES-256-GCM, as every store keeps it), one row per leader.
-- `leader` is UserKey.hashed: the table never holds a platform id in the clear.
CREATE TABLE leaders (
    leader text PRIMARY KEY,
    version integer NOT NULL,
    sealed bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
