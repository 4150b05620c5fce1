use rusqlite::{Connection, OpenFlags};
use std::time::Instant;
fn q(c: &Connection, sql: &str) {
    let t = Instant::now();
    let _: Option<i64> = c.query_row(sql, [], |r| r.get(0)).unwrap();
    println!("{:>8.1} ms  {sql}", t.elapsed().as_secs_f64() * 1e3);
}
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let c = Connection::open_with_flags(&p, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.execute_batch("PRAGMA cache_size=-65536").unwrap();
    for _ in 0..3 {
        q(&c, "SELECT max(scoring_priority) FROM articles");
        q(&c, "SELECT max(feed_id) FROM articles NOT INDEXED");
        q(&c, "SELECT count(*) FROM articles WHERE rowid >= 0");
    }
    let t = Instant::now();
    let h: Vec<_> = (0..2)
        .map(|i| {
            let p = p.clone();
            std::thread::spawn(move || {
                let c = Connection::open_with_flags(&p, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
                let sql = if i == 0 {
                    "SELECT max(scoring_priority) FROM articles WHERE rowid < 100000"
                } else {
                    "SELECT max(scoring_priority) FROM articles WHERE rowid >= 100000"
                };
                let _: Option<i64> = c.query_row(sql, [], |r| r.get(0)).unwrap();
            })
        })
        .collect();
    for x in h {
        x.join().unwrap();
    }
    println!("two halves in parallel: {:?}", t.elapsed());
}
