//! `hocvuso verify FILE [--issuer DID]`: checks a certificate credential offline.

use std::path::PathBuf;
use std::process::ExitCode;

use hocvuso::services::credential;

#[derive(clap::Args)]
pub struct Args {
    /// The credential file (.json) downloaded from a certificate page.
    pub file: PathBuf,
    /// Also require this issuer (the province's did:key, shown on /chung-nhan/kiem-tra-tep).
    #[arg(long)]
    pub issuer: Option<String>,
}

/// Needs no database and no network: the issuer's key is inside the file (did:key).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let verified = match credential::verify(&raw) {
        Ok(v) => v,
        Err(e) => {
            println!("KHÔNG HỢP LỆ (invalid): {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(want) = &args.issuer {
        if want.trim() != verified.issuer {
            println!(
                "KHÔNG HỢP LỆ (invalid): chữ ký số đúng nhưng do khóa {} ký, không phải khóa {} mà bạn yêu cầu.",
                verified.issuer,
                want.trim()
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    println!(
        "HỢP LỆ (valid): chữ ký số đúng ({}), nội dung không bị sửa.",
        credential::CRYPTOSUITE
    );
    println!("Người được cấp: {}", verified.learner_name);
    println!("Khóa học:       {}", verified.course_title);
    println!("Ngày cấp:       {}", verified.valid_from);
    println!(
        "Người cấp:      {} ({})",
        verified.issuer_name, verified.issuer
    );
    if let Some(code) = credential::code_of(&verified.id) {
        println!("Mã chứng nhận:  {code}");
    }
    println!("Kiểm tra trên mạng: {}", verified.id);
    if args.issuer.is_none() {
        println!(
            "Lưu ý: chưa so người cấp với khóa của tỉnh; thêm --issuer DID để so. Việc thu hồi chỉ kiểm tra được trên mạng, tại địa chỉ ở trên."
        );
    } else {
        println!("Việc thu hồi chỉ kiểm tra được trên mạng, tại địa chỉ ở trên.");
    }
    Ok(ExitCode::SUCCESS)
}
