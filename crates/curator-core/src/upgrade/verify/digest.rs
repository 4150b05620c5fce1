//! The proof of an index the upgrade created, without re-reading its table: the
//! digest of the table's (rowid, key) pairs taken by the step that read it, and a
//! walk of the index alone that must find it sorted and with the same digest.

use super::quote;
use crate::error::{CheckFailure, Result};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Order-independent digest of a multiset of (rowid, value) pairs: a count and two
/// 64-bit sums over the pairs, of the pair's SipHash value and of a bijective mix
/// of it (one hash per pair).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Digest {
    count: u64,
    a: u64,
    b: u64,
}

/// The splitmix64 finalizer: a bijection of u64 that spreads every input bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Digest {
    pub(crate) fn add(&mut self, rowid: i64, v: ValueRef<'_>) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        rowid.hash(&mut h);
        match v {
            ValueRef::Null => 0u8.hash(&mut h),
            ValueRef::Integer(i) => (1u8, i).hash(&mut h),
            // A REAL column may hand out an integral value either way.
            ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                (1u8, f as i64).hash(&mut h)
            }
            ValueRef::Real(f) => (2u8, f.to_bits()).hash(&mut h),
            ValueRef::Text(t) => (3u8, t).hash(&mut h),
            ValueRef::Blob(b) => (4u8, b).hash(&mut h),
        }
        let h = h.finish();
        self.count += 1;
        self.a = self.a.wrapping_add(h);
        self.b = self.b.wrapping_add(mix(h));
    }

    /// The digest of both multisets together.
    pub(crate) fn merge(&mut self, other: Digest) {
        self.count += other.count;
        self.a = self.a.wrapping_add(other.a);
        self.b = self.b.wrapping_add(other.b);
    }
}

/// An index the upgrade created on `table (column)`, with the digest of the
/// table's (rowid, column) pairs taken after the table's last change.
#[derive(Debug, Clone)]
pub(crate) struct IndexProof {
    pub table: String,
    pub index: String,
    pub column: String,
    pub digest: Digest,
}

/// SQLite's order of two values of a BINARY-collated index column.
fn sqlite_order(a: &ValueRef<'_>, b: &ValueRef<'_>) -> Ordering {
    fn class(v: &ValueRef<'_>) -> u8 {
        match v {
            ValueRef::Null => 0,
            ValueRef::Integer(_) | ValueRef::Real(_) => 1,
            ValueRef::Text(_) => 2,
            ValueRef::Blob(_) => 3,
        }
    }
    match (a, b) {
        (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(y),
        (ValueRef::Integer(x), ValueRef::Real(y)) => (*x as f64).total_cmp(y),
        (ValueRef::Real(x), ValueRef::Integer(y)) => x.total_cmp(&(*y as f64)),
        (ValueRef::Real(x), ValueRef::Real(y)) => x.total_cmp(y),
        (ValueRef::Text(x), ValueRef::Text(y)) => x.cmp(y),
        (ValueRef::Blob(x), ValueRef::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// A value copied out of a row, its bytes in a buffer that is reused.
#[derive(Default)]
struct Kept {
    kind: u8,
    number: i64,
    real: f64,
    bytes: Vec<u8>,
}

impl Kept {
    fn set(&mut self, v: ValueRef<'_>) {
        self.bytes.clear();
        match v {
            ValueRef::Null => self.kind = 0,
            ValueRef::Integer(i) => (self.kind, self.number) = (1, i),
            ValueRef::Real(f) => (self.kind, self.real) = (2, f),
            ValueRef::Text(t) => {
                self.kind = 3;
                self.bytes.extend_from_slice(t);
            }
            ValueRef::Blob(b) => {
                self.kind = 4;
                self.bytes.extend_from_slice(b);
            }
        }
    }

    fn as_ref(&self) -> ValueRef<'_> {
        match self.kind {
            1 => ValueRef::Integer(self.number),
            2 => ValueRef::Real(self.real),
            3 => ValueRef::Text(&self.bytes),
            4 => ValueRef::Blob(&self.bytes),
            _ => ValueRef::Null,
        }
    }
}

/// Walk `proof.index` alone: it must be in order and hold exactly the table's
/// (rowid, key) pairs that the step counted.
pub(in crate::upgrade) fn check_index(conn: &Connection, proof: &IndexProof) -> Result<()> {
    let sql = format!(
        "SELECT {col}, rowid FROM {t} INDEXED BY {ix} WHERE {col} IS NULL OR {col} IS NOT NULL",
        col = quote(&proof.column),
        t = quote(&proof.table),
        ix = quote(&proof.index),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut digest = Digest::default();
    // The previous entry, kept in a buffer reused from row to row.
    let mut previous: Option<(Kept, i64)> = None;
    while let Some(r) = rows.next()? {
        let key = r.get_ref(0)?;
        let rowid: i64 = r.get(1)?;
        match &mut previous {
            Some((pk, pr)) => {
                let order = sqlite_order(&pk.as_ref(), &key).then((*pr).cmp(&rowid));
                if order != Ordering::Less {
                    return Err(CheckFailure::IndexOrder {
                        index: proof.index.clone(),
                        rowid,
                    }
                    .into());
                }
                pk.set(key);
                *pr = rowid;
            }
            None => {
                let mut kept = Kept::default();
                kept.set(key);
                previous = Some((kept, rowid));
            }
        }
        digest.add(rowid, key);
    }
    if digest != proof.digest {
        return Err(CheckFailure::IndexMismatch {
            index: proof.index.clone(),
            entries: digest.count,
            rows: proof.digest.count,
        }
        .into());
    }
    Ok(())
}
