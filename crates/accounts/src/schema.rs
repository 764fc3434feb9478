//! The accounts schema, as ordered migrations embedded in the binary.
//!
//! SQLite's `user_version` pragma records how many migrations a database has had; opening
//! a store applies the missing ones in one transaction each. Add a migration by appending
//! to [`MIGRATIONS`]; never edit one that has shipped.

/// Migrations in order; `MIGRATIONS[i]` takes a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: accounts with their hashed token and row credits.
    "CREATE TABLE accounts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash  BLOB    NOT NULL UNIQUE,
        token_prefix TEXT   NOT NULL,
        name        TEXT    NOT NULL DEFAULT '',
        plan        TEXT    NOT NULL DEFAULT '',
        rows_left   INTEGER NOT NULL CHECK (rows_left >= 0),
        rows_limit  INTEGER NOT NULL CHECK (rows_limit >= 0),
        rows_charged INTEGER NOT NULL DEFAULT 0,
        requests    INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
    )",
];
