//! What the upgrade wrote, row by row, from SQLite's pre-update hook: which rows
//! were inserted or updated, which columns an update changed (old and new values
//! compared), and whether rows were deleted. The hook sees every change to a
//! table's rows, including those SQLite would otherwise make without a hook: with a
//! pre-update hook registered, `DELETE` without `WHERE` goes row by row, and a
//! `REPLACE` reports the row it removes. Writes that change no row (`CREATE INDEX`,
//! a changed definition) are found by comparing `sqlite_master` instead.

use rusqlite::hooks::{Action, PreUpdateCase};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Rowids kept per table before a table counts as rewritten whole.
pub(in crate::upgrade) const MAX_ROWS_KEPT: usize = 1 << 20;

/// Rows the upgrade wrote in one table.
#[derive(Debug, Clone, Default)]
pub(in crate::upgrade) struct Written {
    /// Rowids inserted or updated (after the change), unless there were too many.
    rows: Vec<i64>,
    pub too_many: bool,
    pub inserts: i64,
    pub deletes: i64,
    /// An update gave a row another rowid.
    pub rowid_changed: bool,
    /// Columns (by position) that an update changed in at least one row.
    changed: Vec<bool>,
    /// The hook reported rows of different widths: column positions are unreliable.
    widths_differ: bool,
    width: Option<usize>,
}

impl Written {
    fn keep(&mut self, rowid: i64) {
        if self.too_many {
            return;
        }
        self.rows.push(rowid);
        if self.rows.len() > MAX_ROWS_KEPT {
            self.rows = Vec::new();
            self.too_many = true;
        }
    }

    fn width(&mut self, n: usize) {
        match self.width {
            None => {
                self.width = Some(n);
                self.changed = vec![false; n];
            }
            Some(w) if w != n => self.widths_differ = true,
            Some(_) => {}
        }
    }

    /// Record one change the pre-update hook reported.
    pub(in crate::upgrade) fn record(&mut self, case: &PreUpdateCase) {
        match case {
            PreUpdateCase::Insert(new) => {
                self.inserts += 1;
                self.keep(new.get_new_row_id());
            }
            PreUpdateCase::Delete(_) => self.deletes += 1,
            PreUpdateCase::Update {
                old_value_accessor: old,
                new_value_accessor: new,
            } => {
                if old.get_old_row_id() != new.get_new_row_id() {
                    self.rowid_changed = true;
                }
                self.keep(new.get_new_row_id());
                let n = usize::try_from(new.get_column_count()).unwrap_or(0);
                self.width(n);
                for i in 0..n.min(self.changed.len()) {
                    if self.changed[i] {
                        continue;
                    }
                    let Ok(c) = i32::try_from(i) else { break };
                    let same = match (old.get_old_column_value(c), new.get_new_column_value(c)) {
                        (Ok(a), Ok(b)) => same_value(a, b),
                        _ => false,
                    };
                    if !same {
                        self.changed[i] = true;
                    }
                }
            }
            PreUpdateCase::Unknown => {
                self.widths_differ = true;
                self.too_many = true;
            }
        }
    }

    /// For the tests of the checks: an update of `rowid` that changed the columns
    /// at `columns` of a `width`-column row.
    #[cfg(test)]
    pub(in crate::upgrade) fn updated(rowid: i64, width: usize, columns: &[usize]) -> Self {
        let mut w = Self::default();
        w.keep(rowid);
        w.width(width);
        for c in columns {
            w.changed[*c] = true;
        }
        w
    }

    /// For the tests of the checks: `n` rows deleted.
    #[cfg(test)]
    pub(in crate::upgrade) fn deleted(n: i64) -> Self {
        Self {
            deletes: n,
            ..Self::default()
        }
    }

    /// The rowids inserted or updated, sorted, each once.
    pub(in crate::upgrade) fn rows(&self) -> BTreeSet<i64> {
        self.rows.iter().copied().collect()
    }

    pub(in crate::upgrade) fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Whether an update may have changed a column at one of `columns` (positions
    /// in a row of `width` columns; `None` for a column the table does not have,
    /// which counts as changed).
    fn touched(&self, width: usize, columns: &[Option<usize>]) -> bool {
        self.widths_differ
            || self.width.is_some_and(|w| w != width)
            || columns.iter().any(|c| match c {
                Some(i) => self.changed.get(*i).copied().unwrap_or(false),
                None => true,
            })
    }

    /// Whether a key made of `columns` may have lost a value a child refers to.
    pub(in crate::upgrade) fn may_lose_keys(
        &self,
        width: usize,
        columns: &[Option<usize>],
    ) -> bool {
        self.deletes > 0 || self.rowid_changed || self.touched(width, columns)
    }

    /// Whether a key made of `columns` may hold a value it did not hold before.
    pub(in crate::upgrade) fn may_gain_keys(
        &self,
        width: usize,
        columns: &[Option<usize>],
    ) -> bool {
        self.inserts > 0 || self.rowid_changed || self.touched(width, columns)
    }
}

/// The same stored value (a REAL and an INTEGER of equal value are not).
fn same_value(a: ValueRef<'_>, b: ValueRef<'_>) -> bool {
    match (a, b) {
        (ValueRef::Real(x), ValueRef::Real(y)) => x.to_bits() == y.to_bits(),
        (a, b) => a == b,
    }
}

/// Writes per table of the `main` database, shared with the hook.
pub(in crate::upgrade) type WrittenByTable = Arc<Mutex<BTreeMap<String, Written>>>;

/// Start recording what `conn` writes.
pub(in crate::upgrade) fn record_writes(conn: &mut Connection) -> rusqlite::Result<WrittenByTable> {
    let written: WrittenByTable = Arc::default();
    let sink = written.clone();
    conn.preupdate_hook(Some(
        move |_: Action, db: &str, table: &str, case: &PreUpdateCase| {
            if db != "main" {
                return;
            }
            let mut all = sink.lock().unwrap_or_else(|p| p.into_inner());
            match all.get_mut(table) {
                Some(w) => w.record(case),
                None => all.entry(table.to_string()).or_default().record(case),
            }
        },
    ))?;
    Ok(written)
}

/// Stop recording; the writes so far.
pub(in crate::upgrade) fn stop_recording(
    conn: &mut Connection,
    written: &WrittenByTable,
) -> rusqlite::Result<BTreeMap<String, Written>> {
    let stopped = conn.preupdate_hook(None::<fn(Action, &str, &str, &PreUpdateCase)>);
    let all = std::mem::take(&mut *written.lock().unwrap_or_else(|p| p.into_inner()));
    stopped.map(|()| all)
}
