//! `hocvuso backup`, `restore` and `db copy`, the real binary on SQLite: what an operator
//! types and reads (exit codes, messages), and the logs' two formats.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A folder of its own for one test (no hocvuso.toml in it).
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hocvuso-dbcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn hocvuso(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hocvuso"));
    cmd.current_dir(dir).args(args).env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn backup_restore_and_copy_say_what_they_did_and_refuse_what_would_lose_data() {
    let dir = folder("roundtrip");
    let made = hocvuso(&dir, &["--database", "sqlite://a.db", "migrate"], &[]);
    assert!(made.status.success(), "{}", text(&made.stderr));

    let backup = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "backup", "b.db"],
        &[],
    );
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    let said = text(&backup.stdout);
    assert!(said.starts_with("Backup written to b.db: "), "{said}");
    assert!(
        said.contains(" tables, ") && said.contains(" rows."),
        "{said}"
    );
    assert!(!dir.join("b.db.partial").exists());

    // Never over an existing file.
    let again = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "backup", "b.db"],
        &[],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("b.db exists already"),
        "{}",
        text(&again.stderr)
    );

    // Into a new database: done; into one that has rows: refused.
    let restored = hocvuso(
        &dir,
        &["--database", "sqlite://c.db", "restore", "b.db"],
        &[],
    );
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let refused = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "restore", "b.db"],
        &[],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("the target is not empty"),
        "{}",
        text(&refused.stderr)
    );
    let missing = hocvuso(
        &dir,
        &["--database", "sqlite://d.db", "restore", "nothing.db"],
        &[],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("there is no database at nothing.db"));

    let copied = hocvuso(
        &dir,
        &[
            "db",
            "copy",
            "--from",
            "sqlite://c.db",
            "--to",
            "sqlite://e.db",
        ],
        &[],
    );
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    let verified = hocvuso(
        &dir,
        &["--database", "sqlite://e.db", "stats", "verify"],
        &[],
    );
    assert!(verified.status.success(), "{}", text(&verified.stdout));
    let from_nothing = hocvuso(
        &dir,
        &[
            "db",
            "copy",
            "--from",
            "sqlite://none.db",
            "--to",
            "sqlite://f.db",
        ],
        &[],
    );
    assert_eq!(from_nothing.status.code(), Some(1));
    assert!(
        !dir.join("none.db").exists(),
        "a mistyped source is not created"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logs_are_plain_text_off_a_terminal_or_json_when_asked() {
    let dir = folder("logs");
    let plain = hocvuso(&dir, &["--database", "sqlite://a.db", "migrate"], &[]);
    assert!(plain.status.success());
    let log = text(&plain.stderr);
    assert!(log.contains("INFO"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes in a file: {log:?}"
    );

    let json = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "migrate"],
        &[("HOCVUSO_LOG_FORMAT", "json")],
    );
    assert!(json.status.success());
    let lines: Vec<String> = text(&json.stderr).lines().map(str::to_owned).collect();
    assert!(!lines.is_empty());
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            v.get("level").is_some() && v.get("timestamp").is_some(),
            "{line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rotating_the_cookie_key_logs_everyone_out_and_the_issuer_key_keeps_old_ones() {
    let dir = folder("keys");
    let made = hocvuso(&dir, &["--database", "sqlite://a.db", "migrate"], &[]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let cookie = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "keys", "rotate-cookie"],
        &[],
    );
    assert!(cookie.status.success(), "{}", text(&cookie.stderr));
    assert!(text(&cookie.stdout).contains("everyone is logged out"));
    let issuer = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "keys", "rotate-issuer"],
        &[],
    );
    assert!(issuer.status.success(), "{}", text(&issuer.stderr));
    assert!(
        text(&issuer.stdout).starts_with("New signing key: did:key:z"),
        "{}",
        text(&issuer.stdout)
    );
    // The database still opens and checks (the new cookie key is well formed).
    let verified = hocvuso(
        &dir,
        &["--database", "sqlite://a.db", "stats", "verify"],
        &[],
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let nothing = hocvuso(
        &dir,
        &["--database", "sqlite://none.db", "keys", "rotate-issuer"],
        &[],
    );
    assert_eq!(nothing.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
