-- Leaders' whole state and their channel data, sealed (AES-256-GCM, as every store keeps it).
-- `leader` is UserKey.hashed: no table holds a platform id or a leader's words in the clear.

-- One row per leader. `sealed` holds the sealed JSON of the state's sections (as in a TinyDB
-- file: meta with the user key, state, reflections, commitments, nudges, history); a leader
-- known only by channel data (say, a Teams conversation reference before the first turn) has
-- the meta alone and version 0.
CREATE TABLE leaders (
    leader text PRIMARY KEY,
    version integer NOT NULL CHECK (version >= 0),
    sealed bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Channel data kept beside the state (e.g. a Teams conversation reference), sealed too;
-- removed with the leader.
CREATE TABLE leader_extras (
    leader text NOT NULL REFERENCES leaders (leader) ON DELETE CASCADE,
    name text NOT NULL,
    sealed bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (leader, name)
);
