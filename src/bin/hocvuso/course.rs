//! `hocvuso course export SLUG DIR [--draft]` and `hocvuso course import FOLDER [--dry-run]`:
//! a course as a folder of text files (course.toml, quiz.toml, lessons/*.md — the layout of
//! content/courses/, see content/README.md and decision 0008), to review like code and bring
//! back into the course's draft.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hocvuso::services::learning::course_edit::{self, EditError};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a course's published version (or its draft) to DIR/SLUG/.
    Export {
        /// The course's slug (e.g. ky-nang-so-co-ban).
        slug: String,
        /// The folder to write the course folder into (e.g. content/courses).
        dir: PathBuf,
        /// Export the draft being edited instead of the published version.
        #[arg(long)]
        draft: bool,
    },
    /// Read a course folder into the course's draft (publish it in the browser afterwards).
    Import {
        /// The course folder; its name is the course's slug.
        folder: PathBuf,
        /// Check the folder and say what would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    // Exporting only reads: a mistyped database path must not create an empty database.
    let state = match &command {
        Command::Export { .. } => crate::open_existing(database, config).await?,
        Command::Import { .. } => crate::open(database, config, None).await?,
    };
    match command {
        Command::Export { slug, dir, draft } => {
            let files = match course_edit::export(&state, &slug, draft).await {
                Ok(f) => f,
                Err(EditError::NotFound) => {
                    println!("Không có khóa học \"{slug}\" dạy trên nền tảng này.");
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(anyhow::anyhow!("{e}")),
            };
            let folder = dir.join(&slug);
            write_folder(&folder, &files)?;
            println!(
                "Đã ghi {} tệp vào {} ({}).",
                files.len(),
                folder.display(),
                if draft {
                    "bản nháp"
                } else {
                    "phiên bản đang xuất bản"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { folder, dry_run } => import(&state, &folder, dry_run).await,
    }
}

/// Writes the files, replacing the lesson files of an earlier export (a lesson renamed or
/// removed must not linger).
fn write_folder(folder: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    let lessons = folder.join("lessons");
    if lessons.is_dir() {
        for entry in std::fs::read_dir(&lessons)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "md") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    std::fs::create_dir_all(&lessons)?;
    for (name, text) in files {
        let path = folder.join(name);
        std::fs::write(&path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

async fn import(
    state: &hocvuso::state::AppState,
    folder: &Path,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let Some(slug) = folder.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        println!("Hãy chỉ ra thư mục của khóa học, ví dụ content/courses/ky-nang-so-co-ban.");
        return Ok(ExitCode::FAILURE);
    };
    let read = |rel: &str| std::fs::read_to_string(folder.join(rel)).ok();
    let content = match hocvuso::content::parse_course(&slug, &folder.display().to_string(), &read)
    {
        Ok(c) => c,
        Err(e) => {
            println!("KHÔNG NHẬP: {}: {}", e.path, e.message);
            return Ok(ExitCode::FAILURE);
        }
    };
    let plan = match course_edit::import(state, &content, dry_run).await {
        Ok(p) => p,
        Err(EditError::NotFound) => {
            println!(
                "KHÔNG NHẬP: không có khóa học \"{slug}\" dạy trên nền tảng này (chỉ nhập vào khóa học đã có)."
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(EditError::Conflict) => {
            println!("KHÔNG NHẬP: {}", EditError::Conflict);
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    if plan.is_empty() {
        println!("Thư mục giống hệt nội dung hiện có của khóa học: không có gì thay đổi.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Bài học: {} giữ nguyên, {} sửa, {} thêm, {} bỏ.",
        plan.lessons_kept, plan.lessons_changed, plan.lessons_added, plan.lessons_removed
    );
    println!(
        "Câu hỏi: {} giữ nguyên, {} mới (kể cả câu đã sửa), {} bỏ.",
        plan.questions_kept, plan.questions_added, plan.questions_removed
    );
    if plan.settings_changed {
        println!("Thông tin chung (tên, giới thiệu, cách làm bài kiểm tra) có thay đổi.");
    }
    if dry_run {
        println!("CHẠY THỬ: chưa ghi gì.");
    } else {
        println!(
            "ĐÃ NHẬP vào bản nháp. Người học chưa thấy thay đổi: hãy xem lại và xuất bản tại /bien-tap/khoa-hoc/{slug}."
        );
    }
    Ok(ExitCode::SUCCESS)
}
