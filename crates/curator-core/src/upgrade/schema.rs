//! Small helpers that read a database's real shape.

use rusqlite::{Connection, OptionalExtension, Result};

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub notnull: bool,
}

pub fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    crate::db::table_exists(conn, name)
}

pub fn has_index(conn: &Connection, name: &str) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
}

pub fn columns(conn: &Connection, table: &str) -> Result<Vec<Column>> {
    let mut stmt = conn.prepare("SELECT name, \"notnull\" FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| {
        Ok(Column {
            name: r.get(0)?,
            notnull: r.get::<_, i64>(1)? != 0,
        })
    })?;
    rows.collect()
}

pub fn column(conn: &Connection, table: &str, name: &str) -> Result<Option<Column>> {
    Ok(columns(conn, table)?
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(name)))
}

pub fn has_column(conn: &Connection, table: &str, name: &str) -> Result<bool> {
    Ok(column(conn, table, name)?.is_some())
}

pub fn count(conn: &Connection, table: &str) -> Result<i64> {
    conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })
}

/// Whether the main database keeps a write-ahead log.
pub fn is_wal(conn: &Connection) -> Result<bool> {
    let mode: String = conn.query_row("PRAGMA main.journal_mode", [], |r| r.get(0))?;
    Ok(mode.eq_ignore_ascii_case("wal"))
}

pub fn user_tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Values of `alembic_version` (empty when the table is missing or empty).
pub fn alembic_versions(conn: &Connection) -> Result<Vec<String>> {
    if !has_table(conn, "alembic_version")? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare("SELECT version_num FROM alembic_version ORDER BY version_num")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The first row of `schema_version`, if the table and a row exist.
pub fn legacy_schema_version(conn: &Connection) -> Result<Option<i64>> {
    if !has_table(conn, "schema_version")? {
        return Ok(None);
    }
    conn.query_row("SELECT version FROM schema_version LIMIT 1", [], |r| {
        r.get(0)
    })
    .optional()
}

/// Split the body of a `CREATE TABLE name (…)` statement at its top-level commas.
/// Returns the text before the body, the parts and the text after it.
fn split_create(sql: &str) -> Option<(&str, Vec<&str>, &str)> {
    let open = sql.find('(')?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut parts = Vec::new();
    let mut start = open + 1;
    for (i, c) in sql.char_indices().skip_while(|(i, _)| *i <= open) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '[' => quote = Some(']'),
            '(' => depth += 1,
            ')' if depth == 0 => {
                parts.push(&sql[start..i]);
                return Some((&sql[..=open], parts, &sql[i..]));
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&sql[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

fn first_identifier(part: &str) -> String {
    let t = part.trim_start();
    let t = t.trim_start_matches(['"', '`', '[']);
    t.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The `CREATE TABLE` text with `NOT NULL` added to one column definition.
pub fn with_not_null(sql: &str, column: &str) -> Option<String> {
    let (head, parts, tail) = split_create(sql)?;
    let mut found = false;
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| {
            if !found && first_identifier(p).eq_ignore_ascii_case(column) {
                found = true;
                if p.to_ascii_uppercase().contains("NOT NULL") {
                    p.to_string()
                } else {
                    let trimmed = p.trim_end();
                    format!("{trimmed} NOT NULL{}", &p[trimmed.len()..])
                }
            } else {
                p.to_string()
            }
        })
        .collect();
    found.then(|| format!("{head}{}{tail}", parts.join(",")))
}

/// Make `table.column` NOT NULL in place. The caller has already replaced every
/// NULL. Only the schema text changes (no table rebuild), which SQLite allows for a
/// constraint every row already satisfies; `integrity_check` verifies it.
pub fn make_not_null(conn: &Connection, table: &str, column: &str) -> crate::error::Result<()> {
    let sql: String = conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    let patched = with_not_null(&sql, column).ok_or_else(|| {
        crate::error::MigrationFailure::ColumnNotFound {
            table: table.to_string(),
            column: column.to_string(),
        }
    })?;
    if patched == sql {
        return Ok(());
    }
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    conn.execute(
        "UPDATE sqlite_master SET sql = ?1 WHERE type = 'table' AND name = ?2",
        [&patched, table],
    )?;
    conn.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = RESET",
        version + 1
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_null_is_added_to_the_right_column_only() {
        let sql = "CREATE TABLE articles ( \tid INTEGER NOT NULL, \tscoring_state VARCHAR NOT NULL, scoring_priority INTEGER DEFAULT 0, rescore_mode TEXT,  \tPRIMARY KEY (id), CHECK (x IN ('a,b')) )";
        let out = with_not_null(sql, "scoring_priority").unwrap();
        assert!(
            out.contains("scoring_priority INTEGER DEFAULT 0 NOT NULL, rescore_mode TEXT"),
            "{out}"
        );
        assert_eq!(with_not_null(&out, "scoring_priority").unwrap(), out);
        assert!(with_not_null(sql, "nope").is_none());
    }

    #[test]
    fn make_not_null_is_enforced_and_checked() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);
             INSERT INTO t (a) VALUES (1), (2);
             BEGIN;",
        )
        .unwrap();
        make_not_null(&conn, "t", "a").unwrap();
        assert!(column(&conn, "t", "a").unwrap().unwrap().notnull);
        assert!(conn.execute("INSERT INTO t (a) VALUES (NULL)", []).is_err());
        conn.execute_batch("COMMIT").unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}
