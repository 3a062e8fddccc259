//! The layering docs/ARCHITECTURE.md promises, checked on the source: pages call services
//! only (they may name the repositories' row types, never call them), and every area has the
//! same folder under `services/`, `web/pages/` and `templates/`.

use std::path::{Path, PathBuf};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every `hocvuso_db::…` path in `src` that names something other than a type (a function,
/// a module used as a value), skipping comments.
fn repository_calls(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("hocvuso_db::") {
            let path: String = rest[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let last = path.rsplit("::").next().unwrap_or("");
            let names_a_type = last.chars().next().is_some_and(char::is_uppercase);
            let is_use = code.trim_start().starts_with("use ");
            // `use hocvuso_db::repo::x::{Type, …}` is checked below by what it brings in.
            if !(names_a_type || is_use && last.is_empty()) {
                out.push(path);
            }
            rest = &rest[i + "hocvuso_db::".len()..];
        }
        if code.trim_start().starts_with("use hocvuso_db::") {
            if let Some(braced) = code.split('{').nth(1) {
                for name in braced.trim_end_matches(['}', ';']).split(',') {
                    let name = name.trim();
                    if !name.is_empty() && !name.chars().next().is_some_and(char::is_uppercase) {
                        out.push(format!("{} in a use of hocvuso_db", name));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn pages_call_services_only() -> TestResult {
    let mut files = Vec::new();
    rust_files(Path::new("src/web/pages"), &mut files)?;
    assert!(files.len() > 20, "page modules found: {}", files.len());
    let mut found = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f)?;
        for call in repository_calls(&src) {
            // The health and readiness checks ask the database itself whether it answers.
            if f.ends_with("site/health.rs")
                && matches!(call.as_str(), "hocvuso_db::ping" | "hocvuso_db::ping_both")
            {
                continue;
            }
            found.push(format!("{}: {call}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "pages reaching past the services:\n{}",
        found.join("\n")
    );
    Ok(())
}

#[test]
fn the_checker_sees_a_repository_call() {
    assert_eq!(
        repository_calls("let x = hocvuso_db::repo::org::all(db).await?;"),
        vec!["hocvuso_db::repo::org::all".to_owned()]
    );
    assert_eq!(
        repository_calls("use hocvuso_db::repo::{org, people};").len(),
        2
    );
    assert!(repository_calls("use hocvuso_db::repo::org::{OrgChange, OrgUnit};").is_empty());
    assert!(repository_calls("file: &hocvuso_db::repo::handbook::StoredFile,").is_empty());
}

#[test]
fn areas_are_mirrored() -> TestResult {
    let dirs = |p: &str| -> std::io::Result<Vec<String>> {
        let mut v: Vec<String> = std::fs::read_dir(p)?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        Ok(v)
    };
    let areas = [
        "accounts",
        "contests",
        "credentials",
        "handbook",
        "honours",
        "learning",
        "monitoring",
        "news",
        "people",
        "plan",
        "reminders",
        "training",
    ];
    for (folder, extra) in [
        ("src/services", &["setup", "shared"][..]),
        ("src/web/pages", &["site"][..]),
        ("templates", &["error", "site"][..]),
    ] {
        let mut want: Vec<String> = areas.iter().chain(extra).map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(dirs(folder)?, want, "{folder}");
    }
    // Each page module renders templates from its own folder.
    let mut files = Vec::new();
    rust_files(Path::new("src/web/pages"), &mut files)?;
    for f in files {
        let src = std::fs::read_to_string(&f)?;
        let module = f.strip_prefix("src/web/pages")?.with_extension("");
        for part in src.split("#[template(path = \"").skip(1) {
            let path = part.split('"').next().unwrap_or("");
            assert!(
                Path::new(path).starts_with(&module),
                "{}: template {path} is not under templates/{}/",
                f.display(),
                module.display()
            );
        }
    }
    Ok(())
}

/// The lines of `src` (comments skipped) that name one of `names`.
fn naming(src: &str, names: &[&str]) -> Vec<String> {
    src.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|code| names.iter().any(|n| code.contains(n)))
        .map(|code| code.trim().to_owned())
        .collect()
}

#[test]
fn services_never_see_the_web_layer() -> TestResult {
    let mut files = Vec::new();
    rust_files(Path::new("src/services"), &mut files)?;
    let mut found = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f)?;
        for line in naming(&src, &["crate::web", "crate::state", "AppState"]) {
            found.push(format!("{}: {line}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "services naming the web layer (they take `&Runtime`):\n{}",
        found.join("\n")
    );
    Ok(())
}

#[test]
fn shared_pieces_know_no_area() -> TestResult {
    let areas = [
        "accounts::",
        "contests::",
        "credentials::",
        "handbook::",
        "honours::",
        "learning::",
        "monitoring::",
        "news::",
        "people::",
        "plan::",
        "reminders::",
        "training::",
    ];
    let mut files = Vec::new();
    rust_files(Path::new("src/services/shared"), &mut files)?;
    let mut found = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f)?;
        for line in naming(&src, &areas) {
            // The repositories of the same names are the database crate's, not the areas.
            if line.contains("hocvuso_db::") {
                continue;
            }
            found.push(format!("{}: {line}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "shared pieces naming an area:\n{}",
        found.join("\n")
    );
    Ok(())
}
