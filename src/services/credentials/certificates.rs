//! A learner's certificate as a printable PDF and as a signed credential (see
//! [`crate::services::credentials::credential`]); checking a credential someone uploads; revocation by the province.

use ed25519_dalek::SigningKey;
use hocvuso_db::repo::{audit, learning, people};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::AuditAction;

use crate::clock::format_date;
use crate::services::credentials::credential::{self, Claim, VerifyError};
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Why a certificate file cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("not found")]
    NotFound,
    /// A revoked certificate is not handed out again.
    #[error("Chứng nhận này đã bị thu hồi nên không tải về được nữa.")]
    Revoked,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for CertificateError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

/// Makes sure the province has a key to sign credentials with (at seed time).
pub async fn ensure_issuer_key<C: ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), hocvuso_db::DbErr> {
    if learning::current_issuer_key(conn).await?.is_some() {
        return Ok(());
    }
    new_issuer_key(conn, now).await.map(|_| ())
}

/// Makes a new signing key; returns its did:key.
async fn new_issuer_key<C: ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, hocvuso_db::DbErr> {
    let secret = crate::services::random_bytes::<32>();
    let key = SigningKey::from_bytes(&secret);
    let did = credential::did_key(&key.verifying_key());
    learning::insert_issuer_key(conn, &did, &crate::services::hex(&secret), now).await?;
    Ok(did)
}

/// `hocvuso keys rotate-issuer`: retires the signing key and makes a new one, in one
/// transaction. Files signed by the old key stay valid and this installation's (its did:key
/// is kept); files downloaded from now on are signed by the new key, in every running server
/// at once (the key is read at each download). Returns the new did:key.
pub async fn rotate_issuer_key(
    db: &hocvuso_db::Db,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Internal> {
    let txn = db.write().begin().await?;
    learning::retire_issuer_keys(&txn, now).await?;
    let did = new_issuer_key(&txn, now).await?;
    txn.commit().await?;
    Ok(did)
}

async fn signing_key<C: ConnectionTrait>(db: &C) -> Result<SigningKey, Internal> {
    let row = learning::current_issuer_key(db)
        .await?
        .ok_or_else(|| Internal::Other("no issuer key (seed not run)".into()))?;
    let secret: [u8; 32] = crate::services::unhex(&row.secret_hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Internal::Other("issuer key is not 32 bytes of hex".into()))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// A certificate of this person, with what its files say.
pub struct Owned {
    pub certificate: learning::Certificate,
    pub claim: Claim,
    /// The course asks for every lesson before its quiz: only then does the certificate say
    /// the lessons were all learnt.
    pub lessons_required: bool,
}

/// The person's own certificate (anyone else's is "not found"), as of `site`.
pub async fn owned(
    state: &Runtime,
    person_id: i64,
    code: &str,
    site: &str,
) -> Result<Owned, CertificateError> {
    let db = state.db.read();
    let c = learning::certificate_by_code(db, code)
        .await?
        .filter(|c| c.person_id == person_id)
        .ok_or(CertificateError::NotFound)?;
    if c.revoked_at.is_some() {
        return Err(CertificateError::Revoked);
    }
    let person = people::person_by_id(db, person_id)
        .await?
        .ok_or(CertificateError::NotFound)?;
    let catalog = state.catalog.current();
    let course = catalog
        .by_id(c.course_id)
        .ok_or(CertificateError::NotFound)?;
    let mut competences: Vec<String> = course
        .lessons
        .iter()
        .flat_map(|l| l.lesson.competences.split_whitespace().map(str::to_owned))
        .collect();
    competences.sort();
    competences.dedup();
    let claim = Claim {
        id: format!("{site}/chung-nhan/{}", c.code),
        issuer_name: state.config.issuer.clone(),
        issuer_url: site.to_owned(),
        learner_name: person.full_name,
        course_url: format!("{site}/khoa-hoc/{}", course.course.slug),
        course_title: course.course.title.clone(),
        course_summary: course.course.summary.clone(),
        competences,
        issued_at: c.issued_at,
    };
    Ok(Owned {
        certificate: c,
        claim,
        lessons_required: course.course.require_lessons,
    })
}

/// The signed credential (JSON), the same bytes every time it is asked for.
pub async fn credential_json(state: &Runtime, owned: &Owned) -> Result<Vec<u8>, Internal> {
    let key = signing_key(state.db.read()).await?;
    let unsigned = credential::credential(&owned.claim, &credential::did_key(&key.verifying_key()));
    let signed = credential::sign(unsigned, &key, owned.claim.issued_at);
    serde_json::to_vec_pretty(&signed).map_err(|e| Internal::Other(e.to_string()))
}

/// The printable certificate: A4 landscape, the learner's full name, the course, the date,
/// the code and a QR code of the verify page.
pub fn pdf(owned: &Owned) -> Result<Vec<u8>, Internal> {
    use hocvuso_pdf::{Block, Document, Orientation, Run};
    let c = &owned.claim;
    let doc = Document {
        title: format!("Chứng nhận — {}", c.course_title),
        author: c.issuer_name.clone(),
        orientation: Orientation::Landscape,
        blocks: vec![
            Block::Subtitle(c.issuer_name.to_uppercase()),
            Block::Subtitle("Phong trào “Bình dân học vụ số”".into()),
            Block::Spacer(14.0),
            Block::Title("CHỨNG NHẬN".into()),
            Block::Subtitle(
                if owned.lessons_required {
                    "hoàn thành khóa học"
                } else {
                    "đạt bài kiểm tra cuối khóa học"
                }
                .into(),
            ),
            Block::Spacer(10.0),
            Block::Title(c.learner_name.clone()),
            Block::Spacer(6.0),
            // What happened, exactly: the lessons are claimed only when the course required
            // them before its quiz.
            Block::Paragraph(vec![
                Run::plain(if owned.lessons_required {
                    "đã học hết các bài và đạt bài kiểm tra cuối khóa "
                } else {
                    "đã đạt bài kiểm tra cuối khóa học "
                }),
                Run::bold(format!("“{}”", c.course_title)),
                Run::plain(format!(", ngày {}.", format_date(c.issued_at))),
            ]),
            Block::Spacer(8.0),
            // The short code, large, for reading and typing; the whole code stays in the QR
            // code and the link.
            Block::Subtitle(format!(
                "Mã chứng nhận: {}",
                credential::short_code(&owned.certificate.code)
            )),
            Block::Qr {
                data: c.id.clone(),
                size_pt: 96.0,
                caption: format!(
                    "Kiểm tra chứng nhận: quét mã QR, hoặc vào {} và nhập mã {}",
                    c.id.trim_end_matches(&owned.certificate.code)
                        .trim_end_matches('/'),
                    credential::short_code(&owned.certificate.code)
                ),
            },
        ],
        footer: Some(format!(
            "{} · Chứng nhận số có chữ ký điện tử kèm theo (tệp .json)",
            c.issuer_name
        )),
    };
    hocvuso_pdf::render(&doc).map_err(|e| Internal::Other(format!("certificate pdf: {e}")))
}

/// What an uploaded credential turned out to be.
pub enum Checked {
    /// Plainly another kind of file (the certificate's PDF, a photo): what to do instead.
    NotACredential(&'static str),
    /// Not a valid credential (the reason).
    Invalid(VerifyError),
    /// Validly signed, but not by a key of this installation.
    OtherIssuer(credential::Verified),
    /// Ours: its certificate, when found, and whether it was revoked.
    Ours {
        verified: credential::Verified,
        revoked: Option<(String, Option<String>)>,
        found: bool,
    },
}

/// The did:key of every key this installation has signed with, newest first.
pub async fn issuer_dids(state: &Runtime) -> Result<Vec<String>, Internal> {
    Ok(learning::issuer_dids(state.db.read()).await?)
}

/// Checks an uploaded credential: the signature offline, then (for ours) revocation.
pub async fn check(state: &Runtime, raw: &[u8]) -> Result<Checked, Internal> {
    if let Some(why) = credential::not_a_credential(raw) {
        return Ok(Checked::NotACredential(why));
    }
    let verified = match credential::verify(raw) {
        Ok(v) => v,
        Err(e) => return Ok(Checked::Invalid(e)),
    };
    let db = state.db.read();
    if !learning::issuer_dids(db).await?.contains(&verified.issuer) {
        return Ok(Checked::OtherIssuer(verified));
    }
    let certificate = match credential::code_of(&verified.id) {
        Some(code) => learning::certificate_by_code(db, code).await?,
        None => None,
    };
    Ok(Checked::Ours {
        found: certificate.is_some(),
        revoked: certificate.and_then(|c| {
            c.revoked_at.map(|at| {
                (
                    format_date(at),
                    c.revoke_reason.clone().filter(|_| c.revoke_reason_public),
                )
            })
        }),
        verified,
    })
}

/// Why a revocation was refused.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("not found")]
    NotFound,
    #[error("Hãy ghi lý do thu hồi (ví dụ: gian lận khi làm bài, cấp nhầm người).")]
    NoReason,
    #[error("Chứng nhận này đã bị thu hồi trước đó.")]
    AlreadyRevoked,
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// Revokes a certificate (the province administrator), with the reason (kept private unless
/// `publish`), audited, and — in the same transaction — takes back what it attested: the
/// completion moves aside (`withdrawn_completion`) and the spine takes back the achievements it
/// no longer earns, off the live counts (`stats verify` agrees). The learner may not start the
/// course's quiz again until the revocation is undone.
pub async fn revoke(
    state: &Runtime,
    actor_id: i64,
    code: &str,
    reason: &str,
    publish: bool,
) -> Result<(), RevokeError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RevokeError::NoReason);
    }
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let c = learning::certificate_by_code(&txn, code)
        .await
        .map_err(Internal::from)?
        .ok_or(RevokeError::NotFound)?;
    let now = state.clock.now();
    if !learning::revoke_certificate(&txn, c.id, reason, publish, actor_id, now)
        .await
        .map_err(Internal::from)?
    {
        return Err(RevokeError::AlreadyRevoked);
    }
    learning::withdraw_completion(&txn, &c)
        .await
        .map_err(Internal::from)?;
    let taken = crate::services::learning::spine::withdraw_achievements(
        &txn,
        &state.catalog.current(),
        c.person_id,
    )
    .await
    .map_err(Internal::from)?;
    audit::record(
        &txn,
        actor_id,
        AuditAction::RevokeCertificate,
        code,
        &format!(
            "{reason}{}{}",
            if publish { " (lý do công khai)" } else { "" },
            if taken.is_empty() {
                String::new()
            } else {
                format!("; trừ khỏi số người đạt: {}", group_names(&taken))
            }
        ),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(())
}

/// Why undoing a revocation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReinstateError {
    #[error("not found")]
    NotFound,
    #[error("Hãy ghi lý do khôi phục (ví dụ: thu hồi nhầm, đã xác minh lại).")]
    NoReason,
    #[error("Chứng nhận này không ở trạng thái bị thu hồi.")]
    NotRevoked,
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// Undoes a revocation (the province administrator), with a reason, audited: the certificate is
/// valid again, its completion comes back as it was, and the spine counts the achievements it
/// earns again, in the week of the completion.
pub async fn reinstate(
    state: &Runtime,
    actor_id: i64,
    code: &str,
    reason: &str,
) -> Result<(), ReinstateError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReinstateError::NoReason);
    }
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let c = learning::certificate_by_code(&txn, code)
        .await
        .map_err(Internal::from)?
        .ok_or(ReinstateError::NotFound)?;
    if !learning::reinstate_certificate(&txn, c.id)
        .await
        .map_err(Internal::from)?
    {
        return Err(ReinstateError::NotRevoked);
    }
    if learning::restore_completion(&txn, c.id)
        .await
        .map_err(Internal::from)?
        .is_some()
    {
        crate::services::learning::spine::record_achievements(
            &txn,
            &state.catalog.current(),
            &[c.person_id],
            |_| None,
        )
        .await
        .map_err(Internal::from)?;
    }
    let now = state.clock.now();
    audit::record(
        &txn,
        actor_id,
        AuditAction::ReinstateCertificate,
        code,
        reason,
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(())
}

/// Groups by their Vietnamese names, for the audit log.
fn group_names(codes: &[String]) -> String {
    codes
        .iter()
        .map(|g| match hocvuso_domain::TargetGroup::from_code(g) {
            Some(group) => group.name_vi().to_owned(),
            None => g.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
