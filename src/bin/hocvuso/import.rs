//! `hocvuso import roster FILE [--dry-run]`: the roster import of the web page, for the
//! province's whole scope, from the command line (for files too big to upload, and scripts).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hocvuso::services::roster::{self, Mode, Report};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import a roster of people (XLSX or CSV; format in docs/IMPORT_FORMATS.md).
    Roster {
        /// The file to import.
        file: PathBuf,
        /// Check every row and say what would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let Command::Roster { file, dry_run } = command;
    let bytes =
        std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let state = crate::open(database, config, None).await?;
    let Some(scope) = roster::province_scope(state.db.read()).await? else {
        anyhow::bail!("the database has no province unit");
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mode = if dry_run { Mode::DryRun } else { Mode::Apply };
    let started = std::time::Instant::now();
    let report = roster::run(&state, &scope, None, &name, bytes, mode).await?;
    state.db.close().await;
    print_report(&report);
    println!("({:.1} s)", started.elapsed().as_secs_f64());
    if !report.is_ok() {
        println!("KHÔNG NHẬP: sửa các lỗi trên rồi nhập lại; chưa có gì được ghi.");
        return Ok(ExitCode::FAILURE);
    }
    if report.applied {
        println!("ĐÃ NHẬP.");
    } else {
        println!("Chạy thử xong, chưa ghi gì. Bỏ --dry-run để nhập.");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &Report) {
    println!(
        "Tệp {}: {} dòng người, {} dòng trống bỏ qua.",
        r.encoding, r.rows, r.blank
    );
    if !r.ignored_columns.is_empty() {
        println!("Các cột không dùng: {}", r.ignored_columns.join(", "));
    }
    println!(
        "Thêm mới {}, cập nhật {}, chuyển đơn vị {}, không đổi {}.",
        r.added, r.updated, r.moved, r.unchanged
    );
    for e in &r.errors {
        if e.line == 0 {
            println!("Lỗi: {}", e.message);
        } else {
            println!("Dòng {}: {}", e.line, e.message);
        }
    }
    if r.error_count > r.errors.len() {
        println!("… và {} lỗi nữa.", r.error_count - r.errors.len());
    }
}
