//! Per-test databases on both backends, and the macro that runs a test on each.
//!
//! * SQLite: a fresh file under the system temp folder, removed when the test ends.
//! * From a template ([`TestDatabase::from_template`]): the first test of a process prepares
//!   one database per backend (migrations and seed) and every test gets a copy — a copied
//!   file on SQLite, `CREATE DATABASE … TEMPLATE …` on PostgreSQL — so the suite does not
//!   migrate and seed hundreds of times.
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
                let files = ["", "-wal", "-shm", ".lock"]
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
            TestBackend::Postgres => Self::new_pg(None).await,
        }
    }

    /// A fresh PostgreSQL database, empty or a copy of `template`.
    async fn new_pg(template: Option<&str>) -> Option<Self> {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
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
        let create = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        if let Err(e) = admin.execute(run(create)).await {
            panic!("cannot create test database {name}: {e}");
        }
        let _ = admin.close().await;
        Some(Self {
            url: with_database(&admin_url, &name),
            backend: TestBackend::Postgres,
            cleanup: Cleanup::PgDatabase { admin_url, name },
        })
    }
}

/// The database every test of this process copies, per backend: a file on SQLite, a database
/// name on PostgreSQL. `None` inside when PostgreSQL is not reachable.
static SQLITE_TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> =
    tokio::sync::OnceCell::const_new();
static PG_TEMPLATE: tokio::sync::OnceCell<Option<String>> = tokio::sync::OnceCell::const_new();

impl TestDatabase {
    /// A fresh database that starts as a copy of one `prepare` made once in this process
    /// (per backend), or `None` as [`TestDatabase::new`]. `prepare` gets the template's URL
    /// and must close every connection it opens before it returns.
    pub async fn from_template<F, Fut>(backend: TestBackend, prepare: F) -> Option<Self>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        match backend {
            TestBackend::Sqlite => {
                let template = SQLITE_TEMPLATE
                    .get_or_init(|| async {
                        sweep_sqlite_orphans();
                        let Some(t) = TestDatabase::new(TestBackend::Sqlite).await else {
                            panic!("a SQLite test database is always available");
                        };
                        prepare(t.url.clone()).await;
                        let path = std::path::PathBuf::from(
                            t.url.trim_start_matches("sqlite://").to_owned(),
                        );
                        // Kept for the whole process: its files are removed at exit by no one,
                        // so they live in the same temp folder and are named by the pid.
                        std::mem::forget(t);
                        path
                    })
                    .await;
                let db = TestDatabase::new(TestBackend::Sqlite).await?;
                let target = db.url.trim_start_matches("sqlite://").to_owned();
                for suffix in ["", "-wal"] {
                    let from = format!("{}{suffix}", template.display());
                    if std::path::Path::new(&from).exists() {
                        if let Err(e) = std::fs::copy(&from, format!("{target}{suffix}")) {
                            panic!("cannot copy the template database {from}: {e}");
                        }
                    }
                }
                Some(db)
            }
            TestBackend::Postgres => {
                let template = PG_TEMPLATE
                    .get_or_init(|| async {
                        sweep_pg_orphans().await;
                        let t = TestDatabase::new(TestBackend::Postgres).await?;
                        prepare(t.url.clone()).await;
                        let Cleanup::PgDatabase { name, .. } = &t.cleanup else {
                            return None;
                        };
                        let name = name.clone();
                        // Dropped by the next process that finds it orphaned (see below).
                        std::mem::forget(t);
                        Some(name)
                    })
                    .await
                    .as_ref()?;
                TestDatabase::new_pg(Some(template)).await
            }
        }
    }
}

/// Whether the test process with this id has ended (its databases are then orphans: a
/// template is kept for a whole process, and a killed run drops nothing).
fn ended(pid: &str) -> bool {
    pid.parse::<u32>().is_ok_and(|p| {
        p != std::process::id()
            && std::path::Path::new("/proc").exists()
            && !std::path::Path::new(&format!("/proc/{p}")).exists()
    })
}

/// Removes the SQLite files of test processes that have ended.
fn sweep_sqlite_orphans() {
    let dir = std::env::temp_dir().join("hocvuso-tests");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix("t-").and_then(|r| r.split('-').next());
        if pid.is_some_and(ended) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Drops the PostgreSQL databases of test processes that have ended.
async fn sweep_pg_orphans() {
    let Ok(admin) = Database::connect(pg_admin_url().as_str()).await else {
        return;
    };
    let backend = admin.get_database_backend();
    let rows = admin
        .query_all(Statement::from_string(
            backend,
            "SELECT datname FROM pg_database WHERE datname LIKE 'hocvuso_t_%'".to_owned(),
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name
            .strip_prefix("hocvuso_t_")
            .and_then(|r| r.split('_').next());
        if pid.is_some_and(ended) {
            let _ = admin
                .execute(Statement::from_string(
                    backend,
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ))
                .await;
        }
    }
    let _ = admin.close().await;
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
