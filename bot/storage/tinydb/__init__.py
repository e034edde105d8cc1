"""TinyDB: the embedded default, one sealed file per leader under the data folder."""
