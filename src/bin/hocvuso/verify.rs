//! `hocvuso verify FILE [--issuer DID]`: checks a certificate credential offline.
//!
//! Exit codes: 0 valid and signed by the trusted issuer; 1 invalid (or signed by another
//! issuer than the trusted one); 2 the signature holds but no issuer is trusted (neither
//! `--issuer` nor `certificate.issuer_did` in the configuration): anyone can sign a file with a
//! key of their own, so that is not "valid".

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hocvuso::config::{Config, Overrides};
use hocvuso::services::credentials::credential::{self, Offline, Verified};

/// Exit code when the signature holds but who issued it is unknown.
pub const EXIT_UNKNOWN_ISSUER: u8 = 2;

#[derive(clap::Args)]
pub struct Args {
    /// The credential file (.json) downloaded from a certificate page.
    pub file: PathBuf,
    /// The issuer to trust (the province's did:key, shown on /chung-nhan/kiem-tra-tep);
    /// by default `certificate.issuer_did` of the configuration.
    #[arg(long)]
    pub issuer: Option<String>,
}

fn print_claims(verified: &Verified) {
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
}

/// Needs no database and no network: the issuer's key is inside the file (did:key).
pub fn run(args: Args, config_file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let trusted = match args.issuer {
        Some(did) => Some(did),
        None => {
            let env: Vec<(String, String)> = std::env::vars().collect();
            Config::load(config_file, &env, &Overrides::default())?
                .0
                .issuer_did
        }
    };
    match credential::check_offline(&raw, trusted.as_deref()) {
        Offline::Invalid(e) => {
            println!("KHÔNG HỢP LỆ (invalid): {e}");
            Ok(ExitCode::FAILURE)
        }
        Offline::OtherIssuer { verified, trusted } => {
            println!(
                "KHÔNG HỢP LỆ (invalid): chữ ký số đúng nhưng do khóa {} ký, không phải khóa {trusted} của người phát hành tin cậy.",
                verified.issuer
            );
            Ok(ExitCode::FAILURE)
        }
        Offline::UnknownIssuer(verified) => {
            println!(
                "CHƯA RÕ (unknown issuer): chữ ký đúng, nhưng chưa biết ai phát hành. Ai cũng có thể ký một tệp bằng khóa của mình; hãy so người cấp với khóa của tỉnh bằng --issuer DID (hoặc certificate.issuer_did trong cấu hình)."
            );
            print_claims(&verified);
            Ok(ExitCode::from(EXIT_UNKNOWN_ISSUER))
        }
        Offline::Valid(verified) => {
            println!(
                "HỢP LỆ (valid): chữ ký số đúng ({}), do người phát hành tin cậy ký, nội dung không bị sửa.",
                credential::CRYPTOSUITE
            );
            print_claims(&verified);
            println!("Việc thu hồi chỉ kiểm tra được trên mạng, tại địa chỉ ở trên.");
            Ok(ExitCode::SUCCESS)
        }
    }
}
