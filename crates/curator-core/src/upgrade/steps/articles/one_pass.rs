//! The one-pass build of `articles`' missing indexes (see the parent module).

use super::{ScanResult, Seen};
use crate::error::Result;
use crate::upgrade::schema;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::sync::{Arc, Mutex};

/// The scratch table of the one-pass build, and the function the pass calls.
pub(super) const SCRATCH: &str = "curator_upgrade_index_keys";
const OBSERVE: &str = "curator_upgrade_observe";

/// Whether the one-pass build gives exactly the indexes `CREATE INDEX` would:
/// `articles` is a rowid table and every key column compares with BINARY (the
/// order the digest check walks in).
pub(super) fn one_pass_applies(conn: &Connection, missing: &[(&str, &str)]) -> Result<bool> {
    let sql: String = conn.query_row(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'articles'",
        [],
        |r| r.get(0),
    )?;
    if sql.to_ascii_uppercase().contains("WITHOUT ROWID") {
        return Ok(false);
    }
    for (_, col) in missing {
        let (_, collation, ..) = conn.column_metadata(Some("main"), "articles", col)?;
        if collation.is_some_and(|c| !c.to_bytes().eq_ignore_ascii_case(b"BINARY")) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Build the `missing` indexes of `articles` from one pass (module comment).
/// `unchanged`: no row of `articles` was written in this transaction so far.
pub(super) fn build_in_one_pass(
    conn: &Connection,
    nullable: &[&str],
    missing: &[(&str, &str)],
    unchanged: bool,
) -> Result<ScanResult> {
    let mut defs = Vec::new();
    for (i, (_, col)) in missing.iter().enumerate() {
        let (declared, ..) = conn.column_metadata(Some("main"), "articles", col)?;
        let declared = declared
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        defs.push(format!("k{i} {declared}"));
    }
    conn.execute_batch(&format!(
        "CREATE TABLE main.{SCRATCH} (r INTEGER PRIMARY KEY, {})",
        defs.join(", ")
    ))?;
    let keys: Vec<&str> = missing.iter().map(|m| m.1).collect();
    let beside = if unchanged && schema::is_wal(conn)? {
        pass_beside(conn, nullable, &keys)?
    } else {
        None
    };
    let (nulls, digests) = match beside {
        Some(found) => found,
        None => pass_here(conn, nullable, &keys)?,
    };
    for (i, (index, _)) in missing.iter().enumerate() {
        conn.execute_batch(&format!("CREATE INDEX {index} ON {SCRATCH} (k{i})"))?;
    }
    // Hand the indexes to `articles`: the text `CREATE INDEX` would have stored.
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    for (index, col) in missing {
        conn.execute(
            "UPDATE main.sqlite_master SET tbl_name = 'articles', sql = ?1 WHERE type = 'index' AND name = ?2",
            [format!("CREATE INDEX {index} ON articles ({col})"), index.to_string()],
        )?;
    }
    conn.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = RESET; DROP TABLE main.{SCRATCH};",
        version + 1
    ))?;
    Ok((nulls, digests))
}

fn articles_definition(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'articles'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// The pass in one statement on this connection: `INSERT … SELECT` into the
/// scratch table, with a function that counts and digests each row it copies.
fn pass_here(conn: &Connection, nullable: &[&str], keys: &[&str]) -> Result<ScanResult> {
    let (n, k) = (nullable.len(), keys.len());
    let seen = Arc::new(Mutex::new(Seen::new(n, k)));
    let sink = seen.clone();
    let args = i32::try_from(1 + n + k).unwrap_or(i32::MAX);
    conn.create_scalar_function(
        OBSERVE,
        args,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let rowid: i64 = ctx.get(0)?;
            let mut seen = sink.lock().unwrap_or_else(|p| p.into_inner());
            for i in 0..n {
                if ctx.get_raw(1 + i) == ValueRef::Null {
                    seen.nulls[i] += 1;
                }
            }
            for j in 0..k {
                seen.digests[j].add(rowid, ctx.get_raw(1 + n + j));
            }
            Ok(true)
        },
    )?;
    let observed: Vec<&str> = nullable.iter().chain(keys).copied().collect();
    let pass = conn.execute(
        &format!(
            "INSERT INTO main.{SCRATCH} (r, {names}) SELECT rowid, {keys} FROM main.articles WHERE {OBSERVE}(rowid, {observed})",
            names = key_names(k).join(", "),
            keys = keys.join(", "),
            observed = observed.join(", "),
        ),
        [],
    );
    let removed = conn.remove_function(OBSERVE, args);
    pass?;
    removed?;
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
    Ok((seen.nulls, seen.digests))
}

fn key_names(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("k{i}")).collect()
}

/// Rows a reader hands over at a time, and batches in flight.
const BATCH: usize = 4096;
const IN_FLIGHT: usize = 4;

/// The pass split over threads (with a write-ahead log, when this transaction has
/// not written `articles`): two read-only connections read the two halves of the
/// rowid range, count and digest the rows and hand them over in batches, while
/// this connection inserts them into the scratch table. The readers see the last
/// commit, which is this transaction's `articles` when the definition and the row
/// count agree; otherwise they hand over nothing and the answer is `None` (the
/// caller then makes the pass here). The checks before commit compare each index
/// built from these rows with the digest taken as they were read, and re-check
/// `articles` whole if anything wrote it afterwards.
pub(super) fn pass_beside(
    conn: &Connection,
    nullable: &[&str],
    keys: &[&str],
) -> Result<Option<ScanResult>> {
    let path = match conn.path() {
        Some(p) if !p.is_empty() => std::path::PathBuf::from(p),
        _ => return Ok(None),
    };
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(rowid), max(rowid) FROM main.articles",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(None);
    };
    let middle = low + (high - low) / 2;
    let reading = Reading {
        path,
        definition: articles_definition(conn)?,
        sql: format!(
            "SELECT rowid, {} FROM main.articles WHERE rowid BETWEEN ?1 AND ?2",
            keys.iter()
                .chain(nullable)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        nullable: nullable.len(),
        keys: keys.len(),
    };
    let count = schema::count(conn, "articles")?;
    let k = keys.len();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Value>>(IN_FLIGHT);
    let readers: Vec<_> = [(low, middle), (middle + 1, high)]
        .into_iter()
        .map(|range| {
            let (reading, tx) = (reading.clone(), tx.clone());
            std::thread::spawn(move || reading.read(range, &tx))
        })
        .collect();
    drop(tx);
    let names = key_names(k);
    let marks: Vec<String> = (1..=1 + k).map(|i| format!("?{i}")).collect();
    let mut inserted: i64 = 0;
    let written = (|| -> Result<()> {
        let mut insert = conn.prepare(&format!(
            "INSERT INTO main.{SCRATCH} (r, {}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))?;
        for batch in rx.iter() {
            for row in batch.chunks(1 + k) {
                insert.execute(rusqlite::params_from_iter(row))?;
                inserted += 1;
            }
        }
        Ok(())
    })();
    // Stops the readers if this side failed; joined either way.
    drop(rx);
    let mut found = Some(Seen::new(reading.nullable, k));
    for reader in readers {
        match reader.join() {
            Ok(Ok(Some(part))) => {
                if let Some(all) = found.as_mut() {
                    all.merge(part);
                }
            }
            // A different table, a failure or a panic on that side: start over on
            // this connection, which reports a failure of its own if there is one.
            _ => found = None,
        }
    }
    written?;
    match found {
        Some(all) if inserted == count => Ok(Some((all.nulls, all.digests))),
        // Some rows were not handed over: start over on this connection.
        _ => {
            conn.execute_batch(&format!("DELETE FROM main.{SCRATCH}"))?;
            Ok(None)
        }
    }
}

/// What a reader of `pass_beside` reads.
#[derive(Clone)]
struct Reading {
    path: std::path::PathBuf,
    /// `articles` as this transaction defines it.
    definition: Option<String>,
    /// Rowid, key columns, nullable columns, for a range of rowids.
    sql: String,
    nullable: usize,
    keys: usize,
}

impl Reading {
    /// Read the rows with a rowid in `range`, hand them over, and say what they
    /// held; `None` when the table is not the one this transaction sees, a value
    /// cannot be handed over, or the other side stopped.
    fn read(
        &self,
        range: (i64, i64),
        tx: &std::sync::mpsc::SyncSender<Vec<Value>>,
    ) -> Result<Option<Seen>> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        c.execute_batch("BEGIN")?;
        if articles_definition(&c)? != self.definition {
            return Ok(None);
        }
        let (n, k) = (self.nullable, self.keys);
        let mut seen = Seen::new(n, k);
        let mut stmt = c.prepare(&self.sql)?;
        let mut rows = stmt.query([range.0, range.1])?;
        let mut batch = Vec::with_capacity(BATCH * (1 + k));
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            batch.push(Value::Integer(rowid));
            for (j, d) in seen.digests.iter_mut().enumerate() {
                let v = r.get_ref(1 + j)?;
                d.add(rowid, v);
                // Text that is not UTF-8 cannot be handed over as it is stored.
                match Value::try_from(v) {
                    Ok(owned) => batch.push(owned),
                    Err(_) => return Ok(None),
                }
            }
            for (i, nulls) in seen.nulls.iter_mut().enumerate() {
                if r.get_ref(1 + k + i)? == ValueRef::Null {
                    *nulls += 1;
                }
            }
            if batch.len() >= BATCH * (1 + k) {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH * (1 + k)));
                if tx.send(full).is_err() {
                    return Ok(None);
                }
            }
        }
        if !batch.is_empty() && tx.send(batch).is_err() {
            return Ok(None);
        }
        Ok(Some(seen))
    }
}
