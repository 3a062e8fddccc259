//! `hocvuso import roster FILE [--dry-run]` and `hocvuso import completions FILE --course SLUG
//! --source TEXT [--skip-unknown] [--dry-run]`: the imports of the web pages, for the
//! province's whole scope, from the command line (for files too big to upload, and scripts).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hocvuso::services::monitoring::completions;
use hocvuso::services::people::roster::{self, Mode, Report};

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
    /// Import who completed a course taught on the national platform (XLSX or CSV, people by
    /// citizen ID; format in docs/IMPORT_FORMATS.md).
    Completions {
        /// The file to import.
        file: PathBuf,
        /// The course's slug (e.g. binh-dan-hoc-vu-so-quoc-gia).
        #[arg(long)]
        course: String,
        /// Where the results come from (kept with the import).
        #[arg(long)]
        source: String,
        /// Leave out people not known here instead of refusing the file.
        #[arg(long)]
        skip_unknown: bool,
        /// Check every row and say what would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))
}

/// The closing lines, and the exit code.
fn verdict(ok: bool, applied: bool, started: std::time::Instant) -> ExitCode {
    println!("({:.1} s)", started.elapsed().as_secs_f64());
    if !ok {
        println!("KHÔNG NHẬP: sửa các lỗi trên rồi nhập lại; chưa có gì được ghi.");
        return ExitCode::FAILURE;
    }
    if applied {
        println!("ĐÃ NHẬP.");
    } else {
        println!("Chạy thử xong, chưa ghi gì. Bỏ --dry-run để nhập.");
    }
    ExitCode::SUCCESS
}

fn print_errors(errors: &[hocvuso_import::RowError], count: usize) {
    for e in errors {
        if e.line == 0 {
            println!("Lỗi: {}", e.message);
        } else {
            println!("Dòng {}: {}", e.line, e.message);
        }
    }
    if count > errors.len() {
        println!("… và {} lỗi nữa.", count - errors.len());
    }
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Roster { file, dry_run } => {
            let bytes = read(&file)?;
            let state = crate::open(database, config, None).await?;
            let Some(scope) = roster::province_scope(state.db.read()).await? else {
                anyhow::bail!("the database has no province unit");
            };
            let mode = if dry_run { Mode::DryRun } else { Mode::Apply };
            let started = std::time::Instant::now();
            let report = roster::run(&state, &scope, None, &file_name(&file), bytes, mode).await?;
            state.db.clone().close().await;
            print_report(&report);
            Ok(verdict(report.is_ok(), report.applied, started))
        }
        Command::Completions {
            file,
            course,
            source,
            skip_unknown,
            dry_run,
        } => {
            let bytes = read(&file)?;
            let state = crate::open(database, config, None).await?;
            let name = file_name(&file);
            let req = completions::Request {
                course_slug: &course,
                source: &source,
                file_name: &name,
                skip_unknown,
            };
            let mode = if dry_run {
                completions::Mode::DryRun
            } else {
                completions::Mode::Apply
            };
            let started = std::time::Instant::now();
            let result = completions::run(&state, None, &req, bytes, mode).await;
            state.db.clone().close().await;
            let r = match result {
                Ok(r) => r,
                Err(completions::CompletionError::Internal(e)) => return Err(e.into()),
                Err(e) => {
                    println!("{e}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            println!(
                "Khóa “{}”. {}{} dòng kết quả, {} dòng trống bỏ qua.",
                r.course_title,
                read_as(r.encoding),
                r.rows,
                r.blank
            );
            if !r.ignored_columns.is_empty() {
                println!("Các cột không dùng: {}", r.ignored_columns.join(", "));
            }
            if r.is_ok() {
                println!(
                    "Hoàn thành mới {}, đã có từ trước {}, bỏ qua (chưa có trong danh sách) {}.",
                    r.added, r.unchanged, r.skipped
                );
            }
            print_errors(&r.errors, r.error_count);
            Ok(verdict(r.is_ok(), r.applied, started))
        }
    }
}

/// "Tệp UTF-8: " — or nothing when the file could not be read that far (an empty file).
fn read_as(encoding: &str) -> String {
    if encoding.is_empty() {
        String::new()
    } else {
        format!("Tệp {encoding}: ")
    }
}

fn print_report(r: &Report) {
    println!(
        "{}{} dòng người, {} dòng trống bỏ qua.",
        read_as(r.encoding),
        r.rows,
        r.blank
    );
    if !r.ignored_columns.is_empty() {
        println!("Các cột không dùng: {}", r.ignored_columns.join(", "));
    }
    // A refused file changes nobody: its would-be figures are not printed.
    if r.is_ok() {
        println!(
            "Thêm mới {}, cập nhật {}, chuyển đơn vị {}, không đổi {}.",
            r.added, r.updated, r.moved, r.unchanged
        );
    }
    print_errors(&r.errors, r.error_count);
}
