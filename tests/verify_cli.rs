//! `hocvuso verify FILE`, the real binary: its exit codes and what it prints (issue 16,
//! item 8). 0 valid and signed by the trusted issuer, 1 invalid or another issuer, 2 the
//! signature holds but no issuer is trusted.

use std::path::PathBuf;
use std::process::Command;

use chrono::TimeZone;
use ed25519_dalek::SigningKey;
use hocvuso::services::credentials::credential::{self, Claim};

/// A folder of its own for one test (no hocvuso.toml in it).
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hocvuso-verify-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn signed_file(dir: &std::path::Path, seed: u8) -> (PathBuf, String) {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let did = credential::did_key(&key.verifying_key());
    let issued_at = chrono::Utc
        .with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("date"));
    let claim = Claim {
        id: "https://hocvuso.example.vn/chung-nhan/abc123".into(),
        issuer_name: "Sở Khoa học và Công nghệ tỉnh Lâm Đồng".into(),
        issuer_url: "https://hocvuso.example.vn".into(),
        learner_name: "Nguyễn Thị Hoà".into(),
        course_url: "https://hocvuso.example.vn/khoa-hoc/ky-nang-so-co-ban".into(),
        course_title: "Kỹ năng số cơ bản".into(),
        course_summary: "Khóa học ngắn.".into(),
        competences: vec![],
        issued_at,
    };
    let doc = credential::sign(credential::credential(&claim, &did), &key, issued_at);
    let path = dir.join("chung-nhan.json");
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    (path, did)
}

fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hocvuso"));
    cmd.current_dir(dir)
        .arg("verify")
        .args(args)
        .env_remove("HOCVUSO_CONFIG")
        .env_remove("HOCVUSO_CERTIFICATE__ISSUER_DID");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn without_a_trusted_issuer_the_answer_is_unknown_and_exit_2() {
    let dir = folder("unknown");
    let (file, did) = signed_file(&dir, 7);
    let file = file.to_string_lossy().into_owned();

    let (code, out) = run(&dir, &[&file], &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("chữ ký đúng, nhưng chưa biết ai phát hành"),
        "{out}"
    );
    assert!(!out.contains("HỢP LỆ (valid)"), "{out}");

    let (code, out) = run(&dir, &[&file, "--issuer", &did], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("HỢP LỆ (valid)"), "{out}");

    // The province's did from the configuration (environment or hocvuso.toml).
    let (code, out) = run(&dir, &[&file], &[("HOCVUSO_CERTIFICATE__ISSUER_DID", &did)]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(
        dir.join("hocvuso.toml"),
        format!("[certificate]\nissuer_did = \"{did}\"\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = run(&dir, &[&file], &[]);
    assert_eq!(code, 0, "{out}");
    std::fs::remove_file(dir.join("hocvuso.toml")).unwrap_or_else(|e| panic!("{e}"));

    // Signed by someone else's key: invalid for the trusted issuer.
    let other = credential::did_key(&SigningKey::from_bytes(&[8; 32]).verifying_key());
    let (code, out) = run(&dir, &[&file, "--issuer", &other], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("KHÔNG HỢP LỆ"), "{out}");

    // A duplicate key: invalid whatever the issuer.
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(
        &file,
        text.replacen('{', "{\"validFrom\":\"2020-01-01\",", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = run(&dir, &[&file, "--issuer", &did], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("hai lần"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
