//! Per-test databases on both backends, and the macro that runs a test on each.
//!
//! * SQLite: a fresh file under the system temp folder, removed when the test ends.
//! * PostgreSQL: a fresh database `hocvuso_t_<pid>_<n>` on the server named by
//!   `HOCVUSO_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`), dropped when the
//!   test ends. If the server cannot be reached the test is skipped with a loud message, except
//!   under CI (`CI` set), where it fails: PostgreSQL tests are mandatory there.

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn pg_admin_url() -> String {
    std::env::var("HOCVUSO_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.to_owned())
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base.rfind('/').map_or(base.len(), |i| i);
    let mut out = format!("{}/{}", &base[..cut], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// One empty database for one test.
pub struct TestDatabase {
    pub url: String,
    pub backend: TestBackend,
    cleanup: Cleanup,
}

enum Cleanup {
    Files(Vec<std::path::PathBuf>),
    PgDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh database, or `None` (with a loud message) when PostgreSQL is not reachable
    /// outside CI.
    pub async fn new(backend: TestBackend) -> Option<Self> {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        match backend {
            TestBackend::Sqlite => {
                let dir = std::env::temp_dir().join("hocvuso-tests");
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    panic!("cannot create {}: {e}", dir.display());
                }
                let file = dir.join(format!("t-{pid}-{n}.db"));
                let files = ["", "-wal", "-shm"]
                    .iter()
                    .map(|s| std::path::PathBuf::from(format!("{}{s}", file.display())))
                    .collect::<Vec<_>>();
                for f in &files {
                    let _ = std::fs::remove_file(f);
                }
                Some(Self {
                    url: format!("sqlite://{}", file.display()),
                    backend,
                    cleanup: Cleanup::Files(files),
                })
            }
            TestBackend::Postgres => {
                let admin_url = pg_admin_url();
                let admin = match Database::connect(admin_url.as_str()).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var_os("CI").is_some() {
                            panic!("PostgreSQL is required in CI but {admin_url} is not reachable: {e}");
                        }
                        eprintln!(
                            "\n*** SKIPPED PostgreSQL test: {admin_url} is not reachable ({e}). \
                             Start PostgreSQL or set HOCVUSO_TEST_PG_URL. ***\n"
                        );
                        note_skipped();
                        return None;
                    }
                };
                let name = format!("hocvuso_t_{pid}_{n}");
                let backend_kind = admin.get_database_backend();
                let run = |sql: String| Statement::from_string(backend_kind, sql);
                if let Err(e) = admin
                    .execute(run(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .await
                {
                    panic!("cannot drop old test database {name}: {e}");
                }
                if let Err(e) = admin.execute(run(format!("CREATE DATABASE {name}"))).await {
                    panic!("cannot create test database {name}: {e}");
                }
                let _ = admin.close().await;
                Some(Self {
                    url: with_database(&admin_url, &name),
                    backend,
                    cleanup: Cleanup::PgDatabase { admin_url, name },
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Files(files) => {
                for f in files {
                    let _ = std::fs::remove_file(f);
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop cannot await; use a private runtime on its own thread.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                            let backend = admin.get_database_backend();
                            let _ = admin
                                .execute(Statement::from_string(
                                    backend,
                                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Counts a PostgreSQL test that did not run: one line in the file named by
/// `HOCVUSO_PG_SKIPPED_LOG` (scripts/test sets it and reports the count as skipped, since the
/// test harness itself can only say "ok").
fn note_skipped() {
    use std::io::Write;
    if let Some(path) = std::env::var_os("HOCVUSO_PG_SKIPPED_LOG") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let name = std::thread::current().name().unwrap_or("?").to_owned();
            let _ = writeln!(f, "{name}");
        }
    }
}

/// Runs each named `async fn(TestBackend)` once on SQLite and once on PostgreSQL:
/// `test_both!(registers_a_learner);` makes `registers_a_learner::sqlite` and
/// `registers_a_learner::postgres`.
#[macro_export]
macro_rules! test_both {
    ($($name:ident),+ $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::TestBackend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::TestBackend::Postgres).await
            }
        }
    )+ };
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_database_name() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/test?sslmode=disable", "y"),
            "postgres://u@h/y?sslmode=disable"
        );
    }
}
