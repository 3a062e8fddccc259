//! What the fuzzing harnesses of every crate share (`scripts/fuzz`): keeping an input that
//! made a harness panic, and building inputs from a format's tokens.

/// Runs `f` on `input`. When it panics under `scripts/fuzz` (`HOCVUSO_FUZZ_SAVE` set), the
/// input is first kept under `<crate_dir>/src/__fuzz__/fuzz__<harness>/crashes/`, where every
/// later `cargo test` replays it.
pub fn kept(crate_dir: &std::path::Path, harness: &str, input: &[u8], f: impl FnOnce(&[u8])) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(input)));
    if let Err(panic) = outcome {
        if std::env::var_os("HOCVUSO_FUZZ_SAVE").is_some() {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            input.hash(&mut h);
            let dir = crate_dir
                .join("src/__fuzz__")
                .join(format!("fuzz__{harness}"))
                .join("crashes");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{:016x}", h.finish())), input);
        }
        std::panic::resume_unwind(panic);
    }
}

/// Joins the tokens that `bytes` pick.
pub fn from_tokens(bytes: &[u8], tokens: &[&str]) -> String {
    bytes
        .iter()
        .map(|b| tokens[usize::from(*b) % tokens.len()])
        .collect()
}
